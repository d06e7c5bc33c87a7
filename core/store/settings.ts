// The settings file: saved hosts and encrypted secrets. Schema-checked on
// read (an unreadable or damaged file is set aside with a notice, and the app
// starts without it) and written atomically; a failed write does not stop the
// next one, which writes everything again.
import { readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ClusterdeckError } from '../../shared/errors';
import { hostConfigSchema } from '../../shared/model';
import { clusterSchema } from '../../shared/cluster';
import { writeFileAtomic } from './atomic-file';

// A saved host and cluster are the contract's own entities (shared/), not copies.
export { hostConfigSchema, type HostConfig } from '../../shared/model';

const settingsSchema = z.object({
  version: z.literal(1),
  hosts: z.array(hostConfigSchema),
  /** Clusters made with New Cluster; files from before clusters have none. */
  clusters: z.array(clusterSchema).default([]),
  /**
   * How long a VM action waits for libvirt to show its effect (a shutdown
   * until the guest is off, a reboot until it restarted) before failing.
   */
  vmActionTimeoutSeconds: z.number().int().min(1).max(3600).default(180),
  /** Names this installation's API tokens on nodes (Proxmox VE); made at first use. */
  installationId: z.string().optional(),
  /**
   * hostId -> secret encrypted by the SecretBox; never plain text. A driver's
   * own secrets (an API token's) are kept as `<hostId>/<name>`.
   */
  secrets: z.record(z.string(), z.string()),
});
export type Settings = z.infer<typeof settingsSchema>;

export class SettingsStore {
  readonly file: string;
  /** Sentences for the user about what happened at load (a file set aside). */
  readonly notices: string[] = [];
  private settings: Settings = {
    version: 1,
    hosts: [],
    clusters: [],
    vmActionTimeoutSeconds: 180,
    secrets: {},
  };
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = join(dataDir, 'settings.json');
  }

  async load(): Promise<Settings> {
    await this.removeLeftoverTemps();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.settings; // first start
      return this.setAside(`could not be read (${code ?? (err as Error).message})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.setAside('is not valid JSON (it may have been cut short)');
    }
    const parsed = settingsSchema.safeParse(json);
    if (!parsed.success) return this.setAside('does not hold what Clusterdeck expects');
    this.settings = parsed.data;
    return this.settings;
  }

  /** Keeps a damaged file for the user to inspect, and starts without it. */
  private async setAside(why: string): Promise<Settings> {
    const aside = `${this.file}.damaged-${Date.now()}`;
    try {
      await rename(this.file, aside);
      this.notices.push(
        `The settings file ${this.file} ${why}. It was kept as ${aside} and Clusterdeck started without saved hosts: add them again, or repair that file while Clusterdeck is closed and put it back.`,
      );
    } catch (err) {
      this.notices.push(
        `The settings file ${this.file} ${why}, and could not be set aside (${(err as Error).message}). Clusterdeck started without saved hosts; the next change you make replaces that file.`,
      );
    }
    return this.settings;
  }

  /** Temporary files of writes that a crash cut short; the rename never happened. */
  private async removeLeftoverTemps(): Promise<void> {
    const prefix = `${basename(this.file)}.`;
    const names = await readdir(dirname(this.file)).catch(() => [] as string[]);
    for (const n of names) {
      if (n.startsWith(prefix) && n.endsWith('.tmp'))
        await unlink(join(dirname(this.file), n)).catch(() => undefined);
    }
  }

  get current(): Settings {
    return this.settings;
  }

  /**
   * Changes the settings in memory and writes the whole file. Each write
   * holds everything so far, so after a failed one (disk full, folder not
   * writable) the next write saves the earlier change too.
   */
  update(change: (s: Settings) => void): Promise<void> {
    const next = structuredClone(this.settings);
    change(next);
    this.settings = next;
    const data = JSON.stringify(next, null, 2) + '\n';
    const write = this.writing
      .catch(() => undefined) // an earlier failure is reported to its own caller
      .then(() => writeFileAtomic(this.file, data))
      .catch((err: unknown) => {
        throw new ClusterdeckError(
          'internal',
          `Could not save the settings to ${this.file}: ${(err as Error).message}. The change holds until Clusterdeck closes and is saved with the next change that can be written.`,
        );
      });
    this.writing = write;
    return write;
  }
}
