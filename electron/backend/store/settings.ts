// The settings file: saved hosts and encrypted secrets. Schema-checked on
// read (a damaged file is set aside, not trusted) and written atomically.
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AUTH_METHODS } from '../../../shared/model';
import { cpuModelSchema } from '../../../shared/cluster';
import { writeFileAtomic } from './atomic-file';

export const hostConfigSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  auth: z.enum(AUTH_METHODS),
  keyPath: z.string().optional(),
  /** Maintenance mode: since when, and the VMs (by UUID) to bring back on exit. */
  maintenance: z.object({ since: z.number(), bringBack: z.array(z.string()) }).optional(),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

export const clusterConfigSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostIds: z.array(z.string()),
  cpu: cpuModelSchema.optional(),
});

const settingsSchema = z.object({
  version: z.literal(1),
  hosts: z.array(hostConfigSchema),
  /** Clusters made with New Cluster; files from before clusters have none. */
  clusters: z.array(clusterConfigSchema).default([]),
  /**
   * How long a VM action waits for libvirt to show its effect (a shutdown
   * until the guest is off, a reboot until it restarted) before failing.
   */
  vmActionTimeoutSeconds: z.number().int().min(1).max(3600).default(180),
  /** hostId -> secret encrypted by the SecretBox; never plain text. */
  secrets: z.record(z.string(), z.string()),
});
export type Settings = z.infer<typeof settingsSchema>;

export class SettingsStore {
  readonly file: string;
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
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return this.settings;
    }
    const parsed = settingsSchema.safeParse(JSON.parse(text || '{}'));
    if (parsed.success) {
      this.settings = parsed.data;
    } else {
      // Keep the damaged file for the user to inspect instead of overwriting it.
      await rename(this.file, `${this.file}.damaged-${Date.now()}`).catch(() => undefined);
    }
    return this.settings;
  }

  get current(): Settings {
    return this.settings;
  }

  update(change: (s: Settings) => void): Promise<void> {
    const next = structuredClone(this.settings);
    change(next);
    this.settings = next;
    const data = JSON.stringify(next, null, 2) + '\n';
    this.writing = this.writing.then(() => writeFileAtomic(this.file, data));
    return this.writing;
  }
}
