// The backend behind the contract: the services of core/services/, one per
// area, routed so that each method of shared/api.ts has one handler. Both
// transports (Electron IPC, the browser shell) call `call()`, which
// validates params with the contract's schemas before anything else runs.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { methods, isMethodName } from '../shared/api';
import type { Patch } from '../shared/model';
import { ClusterdeckError } from '../shared/errors';
import { checkResult, contractChecksOn } from './contract-checks';
import { InventoryStore } from './inventory/store';
import { JumpHosts } from './ssh/jump';
import { KnownHosts } from './ssh/known-hosts';
import { SettingsStore } from './store/settings';
import { TaskRunner } from './tasks/runner';
import {
  Connections,
  type BackendOptions,
  type Caller,
  type ServiceContext,
} from './services/context';
import type { Handlers } from './services/handlers';
import { createServices, route, type Services } from './services/router';
import { defaultDriverRegistry } from './drivers/registry';

export type { BackendOptions, Caller } from './services/context';

export class Backend {
  readonly store = new InventoryStore();
  readonly tasks = new TaskRunner(this.store);
  private readonly settings: SettingsStore;
  private readonly services: Services;
  private readonly handlers: Handlers;

  private constructor(opts: BackendOptions) {
    this.settings = new SettingsStore(opts.dataDir);
    const knownHosts = new KnownHosts(join(opts.dataDir, 'known_hosts'), [
      opts.userKnownHosts ?? join(homedir(), '.ssh', 'known_hosts'),
    ]);
    const connections = new Connections();
    const ctx: ServiceContext = {
      opts,
      store: this.store,
      tasks: this.tasks,
      settings: this.settings,
      knownHosts,
      jumps: new JumpHosts(knownHosts, opts.sshConfig),
      connections,
      connection: (hostId) => connections.get(hostId),
      drivers: opts.drivers ?? defaultDriverRegistry(),
    };
    this.services = createServices(ctx);
    this.handlers = route(this.services);
  }

  /** Loads settings and starts reconnecting saved hosts (without waiting for them). */
  static async start(opts: BackendOptions): Promise<Backend> {
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const b = new Backend(opts);
    await b.settings.load();
    b.services.clusters.load();
    await b.services.hosts.start();
    return b;
  }

  /** What the user must hear about startup (a settings file set aside, secrets removed). */
  get startupNotices(): readonly string[] {
    return [...this.settings.notices, ...this.services.hosts.notices];
  }

  onPatch(listener: (p: Patch[]) => void): () => void {
    return this.store.onPatch(listener);
  }

  /** Validates and dispatches one call from a transport. */
  async call(method: unknown, params: unknown, caller: Caller = {}): Promise<unknown> {
    if (!isMethodName(method))
      throw new ClusterdeckError('invalid-input', `Unknown method ${String(method)}.`);
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ClusterdeckError(
        'invalid-input',
        first ? `${first.path.join('.') || 'input'}: ${first.message}` : 'Invalid input.',
      );
    }
    const handler = this.handlers[method] as (p: unknown, c: Caller) => Promise<unknown>;
    const result = await handler(parsed.data, caller);
    if (contractChecksOn()) checkResult(method, result);
    return result;
  }

  /**
   * Runs one remote command as a task on a host; fails the task on a
   * non-zero exit. The building block of wizard steps.
   */
  runCommand(hostId: string, title: string, argv: readonly string[]): string {
    return this.services.tasks.runCommand(hostId, title, argv);
  }

  /** Open console tunnels, for tests that check nothing leaks. */
  get openConsoles(): number {
    return this.services.consoles.open;
  }

  close(): void {
    this.services.consoles.close();
    this.services.performance.close();
    this.services.ha.close();
    this.services.hosts.close();
  }
}
