// The secrets drivers keep for their nodes (a Proxmox VE API token's
// secret), in the settings file's `secrets` sealed by the SecretBox like a
// host's password, as `<hostId>/<name>`. Where nothing seals (the browser
// shell), they are kept for this session only: a driver then makes its token
// again at the next start. Never logged, never sent to the renderer.
import { randomBytes } from 'node:crypto';
import type { DriverSecrets } from '../drivers/registry';
import type { SecretBox } from '../store/secrets';
import type { SettingsStore } from '../store/settings';

const key = (hostId: string, name: string): string => `${hostId}/${name}`;

export class DriverSecretStore {
  /** What could not be sealed, for this session only. */
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly settings: SettingsStore,
    private readonly box: SecretBox,
  ) {}

  /** The secrets of one host's driver. */
  forHost(hostId: string): DriverSecrets {
    return {
      installationId: () => this.installationId(),
      candidates: (name) => this.candidates(hostId, name),
      save: (name, value) => this.save(hostId, name, value),
    };
  }

  private async installationId(): Promise<string> {
    const known = this.settings.current.installationId;
    if (known) return known;
    // Short: it goes into token names (`clusterdeck-<id>`), which PVE shows.
    const id = randomBytes(5).toString('hex');
    await this.settings.update((s) => {
      s.installationId ??= id;
    });
    return this.settings.current.installationId ?? id;
  }

  private unseal(sealed: string): string | undefined {
    try {
      return this.box.decrypt(sealed);
    } catch {
      return undefined; // the keyring changed: the driver makes a new one
    }
  }

  private candidates(hostId: string, name: string): string[] {
    const own = key(hostId, name);
    const suffix = `/${name}`;
    const out: string[] = [];
    const add = (v: string | undefined) => {
      if (v && !out.includes(v)) out.push(v);
    };
    add(this.memory.get(own));
    const sealed = this.box.canPersist ? this.settings.current.secrets : {};
    if (sealed[own]) add(this.unseal(sealed[own]));
    for (const [k, v] of this.memory) if (k !== own && k.endsWith(suffix)) add(v);
    for (const [k, v] of Object.entries(sealed))
      if (k !== own && k.endsWith(suffix)) add(this.unseal(v));
    return out;
  }

  private async save(hostId: string, name: string, value: string): Promise<void> {
    this.memory.set(key(hostId, name), value);
    if (!this.box.canPersist) return;
    // Saved even while Add Host still connects (the host is saved after);
    // a failed Add Host and Remove take it out again (dropHost).
    const sealed = this.box.encrypt(value);
    await this.settings.update((s) => {
      s.secrets[key(hostId, name)] = sealed;
    });
  }

  /** Forgets a removed host's secrets (the caller updates the settings). */
  dropHost(secrets: Record<string, string>, hostId: string): void {
    for (const k of Object.keys(secrets)) if (k.startsWith(`${hostId}/`)) delete secrets[k];
    for (const k of [...this.memory.keys()]) if (k.startsWith(`${hostId}/`)) this.memory.delete(k);
  }
}
