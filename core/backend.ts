// The backend behind the contract: one handler per method of shared/api.ts.
// Both transports (Electron IPC, the browser shell) call `call()`, which
// validates params with the contract's schemas before anything else runs.
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import {
  VM_ACTION_LABELS,
  methods,
  isMethodName,
  type MethodName,
  type ParsedParams,
  type Result,
} from '../shared/api';
import type { Cluster } from '../shared/cluster';
import type { Patch, StoragePool, Vm } from '../shared/model';
import { newVolumeProblem, type PoolAction, type PoolSpec } from '../shared/storage';
import { formatBytes } from '../shared/units';
import {
  deleteVolumeProblem,
  snapshotUsers,
  isoProblem,
  namesOfUsers,
  volumeUsers,
} from '../shared/volume-use';
import { diskVolumeName, type VmSpec } from '../shared/vm';
import { ClusterdeckError } from '../shared/errors';
import { checkResult, contractChecksOn } from './contract-checks';
import type { ClusterSpec, CpuModel } from '../shared/cluster';
import type { MigrationSpec } from '../shared/migration';
import { runningVmJob } from '../shared/vm-jobs';
import { openConsoleBridge, type ConsoleBridge, type Handshake } from './consoles/bridge';
import { openTerminalBridge, type TerminalBridge } from './consoles/terminal';
import { greetPage, loginToDisplay } from './consoles/vnc-login';
import { commandReason, onNode, runPlan, stepView, type PlannedStep } from './wizards/plan';
import {
  clusterPlan,
  memberClashes,
  untrustPlan,
  type ClusterFindings,
  type ClusterMember,
} from './clusters/plan';
import { preflight } from './clusters/preflight';
import { planEvacuation } from './migration/maintenance';
import { toSample, type NodeCounters } from './performance/rates';
import { migrationPreflight, type MigrationWorld, type VmPlan } from './migration/preflight';
import { migrationSteps, runMigration, type MigrationJob } from './migration/task';
import { checkTls } from './migration/transport';
import type { PageGuard } from './transfers/page-guard';
import { openUploadReceiver } from './transfers/upload-receiver';
import { uploadIntoPool } from './transfers/upload-task';
import { startDownload } from './transfers/download';
import { HostConnection } from './hosts/connection';
import { InventoryStore } from './inventory/store';
import { keyTypeOf, sha256Fingerprint } from './ssh/fingerprint';
import { JumpHosts } from './ssh/jump';
import { KnownHosts, revokedKeyError } from './ssh/known-hosts';
import { probeHostKey } from './ssh/session';
import { quoteArgv } from './ssh/quote';
import { readSshAliases } from './ssh/ssh-config';
import type { SecretBox } from './store/secrets';
import { SettingsStore, type HostConfig } from './store/settings';
import { TaskRunner } from './tasks/runner';

export interface BackendOptions {
  dataDir: string;
  secretBox: SecretBox;
  /** The user's own known_hosts, read but never written. */
  userKnownHosts?: string;
  sshConfig?: string;
  /**
   * The desktop app's native open dialog: the path the user chose, or
   * undefined when cancelled. Absent in the browser shell, where the page
   * sends a file's bytes instead.
   */
  pickFile?: () => Promise<string | undefined>;
  /** How long a console tunnel or transfer waits for its page (default 60 s). */
  pageWaitMs?: number;
}

/** Who made a call: the exact origin of the page, as its transport vouches for it. */
export interface Caller {
  /** Undefined for a caller that is no page (a script, a test). */
  pageOrigin?: string | undefined;
}

type Handlers = {
  [M in MethodName]: (p: ParsedParams<M>, caller: Caller) => Promise<Result<M>>;
};

const POOL_ACTION_TITLES: Record<PoolAction, string> = {
  start: 'Start pool',
  stop: 'Stop pool',
  refresh: 'Refresh pool',
  autostart: 'Autostart pool',
  'no-autostart': 'No autostart for pool',
  undefine: 'Remove pool',
  delete: 'Delete pool',
};

export class Backend {
  readonly store = new InventoryStore();
  readonly tasks = new TaskRunner(this.store);
  private readonly settings: SettingsStore;
  private readonly knownHosts: KnownHosts;
  private readonly jumps: JumpHosts;
  private readonly connections = new Map<string, HostConnection>();
  /** Open tunnels by id: VNC consoles and terminals alike. */
  private readonly consoles = new Map<string, ConsoleBridge | TerminalBridge>();
  /** Each node's last load counters, so the next reading can turn them into rates. */
  private readonly lastCounters = new Map<string, NodeCounters>();
  /** Files chosen in the native dialog, by the one-time id the page holds. */
  private readonly chosenFiles = new Map<string, { path: string; bytes: number }>();

  private constructor(private readonly opts: BackendOptions) {
    this.settings = new SettingsStore(opts.dataDir);
    this.knownHosts = new KnownHosts(join(opts.dataDir, 'known_hosts'), [
      opts.userKnownHosts ?? join(homedir(), '.ssh', 'known_hosts'),
    ]);
    this.jumps = new JumpHosts(this.knownHosts, opts.sshConfig);
  }

  /** Loads settings and starts reconnecting saved hosts (without waiting for them). */
  static async start(opts: BackendOptions): Promise<Backend> {
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    const b = new Backend(opts);
    await b.settings.load();
    await b.dropWeakSecrets();
    const s = b.settings.current;
    for (const c of s.clusters) b.store.put('clusters', c.id, c);
    for (const h of s.hosts) {
      const sealed = s.secrets[h.id];
      let secret: string | undefined;
      if (sealed && opts.secretBox.canPersist) {
        try {
          secret = opts.secretBox.decrypt(sealed);
        } catch {
          secret = undefined; // the keyring changed; the user re-enters it
        }
      }
      b.open(h, secret).catch(() => undefined);
    }
    return b;
  }

  private readonly notices: string[] = [];

  /** What the user must hear about startup (a settings file set aside, secrets removed). */
  get startupNotices(): readonly string[] {
    return [...this.settings.notices, ...this.notices];
  }

  /** Removes passwords an earlier version sealed with a key anyone knows. */
  private async dropWeakSecrets(): Promise<void> {
    const box = this.opts.secretBox;
    const { hosts, secrets } = this.settings.current;
    const weak = hosts.filter((h) => {
      const sealed = secrets[h.id];
      return sealed !== undefined && box.isWeaklySealed?.(sealed) === true;
    });
    if (weak.length === 0) return;
    const names = weak.map((h) => h.name).join(', ');
    let removed = 'They were removed from the settings file; enter them again when asked.';
    try {
      await this.settings.update((x) => {
        for (const h of weak) delete x.secrets[h.id];
      });
    } catch (err) {
      removed = `They are not used, but could not be removed: ${(err as Error).message}`;
    }
    this.notices.push(
      `The saved passwords of ${names} had been encrypted with Chromium's fixed fallback key (no keyring was running), which protects nothing. ${removed}`,
    );
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

  private open(config: HostConfig, secret: string | undefined): Promise<void> {
    const conn = new HostConnection(config, this.store, this.knownHosts, secret, this.jumps);
    this.connections.set(config.id, conn);
    return conn.connect();
  }

  /** A node's host key, read directly or through its jump hosts. */
  private async probeKey(address: string, port: number, proxyJump?: string): Promise<Buffer> {
    const via = proxyJump ? await this.jumps.open(proxyJump) : undefined;
    try {
      return await probeHostKey(address, port, address, via);
    } finally {
      via?.close();
    }
  }

  private connection(hostId: string): HostConnection {
    const c = this.connections.get(hostId);
    if (!c) throw new ClusterdeckError('not-found', 'That host is no longer in Clusterdeck.');
    return c;
  }

  private readonly handlers: Handlers = {
    getInventory: async () => this.store.snapshot(),

    probeHost: async ({ address, port, proxyJump }) => {
      const key = await this.probeKey(address, port, proxyJump);
      const verdict = await this.knownHosts.check(address, port, key);
      if (verdict.status === 'revoked')
        throw revokedKeyError(`${address}:${port}`, verdict.fingerprint);
      return {
        address,
        port,
        keyType: keyTypeOf(key),
        fingerprint: sha256Fingerprint(key),
        status: verdict.status,
        ...(verdict.status === 'changed' ? { knownFingerprint: verdict.knownFingerprint } : {}),
      };
    },

    addHost: async (p) => {
      const where = `${p.address}:${p.port}`;
      if (
        [...this.connections.values()].some(
          (c) =>
            c.config.address === p.address && c.config.port === p.port && c.config.user === p.user,
        )
      ) {
        throw new ClusterdeckError(
          'invalid-input',
          `${p.user}@${where} is already in Clusterdeck.`,
        );
      }
      if (p.remember && p.password && !this.opts.secretBox.canPersist) {
        throw new ClusterdeckError(
          'invalid-input',
          `${this.opts.secretBox.whyNot ?? 'This Clusterdeck has no encrypted secret store here, and it never saves a password in plain text.'} Untick “Remember password”.`,
        );
      }
      // Trust exactly the key the user saw: if the node now shows another, refuse.
      const key = await this.probeKey(p.address, p.port, p.proxyJump);
      const fingerprint = sha256Fingerprint(key);
      if (fingerprint !== p.fingerprint) {
        throw new ClusterdeckError(
          'host-key-mismatch',
          `${where} now presents ${fingerprint}, not the ${p.fingerprint} you accepted. Nothing was sent. Check the node before connecting again.`,
        );
      }
      const verdict = await this.knownHosts.check(p.address, p.port, key);
      if (verdict.status === 'revoked') throw revokedKeyError(where, verdict.fingerprint);
      if (verdict.status === 'changed') {
        throw new ClusterdeckError(
          'host-key-changed',
          `The host key of ${where} changed (now ${fingerprint}, trusted ${verdict.knownFingerprint}). Nothing was sent. If the node was reinstalled, remove its old key from known_hosts first.`,
        );
      }
      if (verdict.status === 'new') await this.knownHosts.trust(p.address, p.port, key);
      const config: HostConfig = {
        id: randomUUID(),
        name: p.name || p.address,
        address: p.address,
        port: p.port,
        user: p.user,
        auth: p.auth,
        ...(p.auth === 'key' && p.keyPath ? { keyPath: p.keyPath } : {}),
        ...(p.proxyJump ? { proxyJump: p.proxyJump } : {}),
      };
      const conn = new HostConnection(config, this.store, this.knownHosts, p.password, this.jumps);
      try {
        await conn.connect();
      } catch (err) {
        conn.dispose();
        this.store.removeHost(config.id);
        throw err;
      }
      this.connections.set(config.id, conn);
      await this.settings.update((s) => {
        s.hosts.push(config);
        if (p.remember && p.password)
          s.secrets[config.id] = this.opts.secretBox.encrypt(p.password);
      });
      return { hostId: config.id };
    },

    removeHost: async ({ hostId }) => {
      // Its cluster's trust is taken back with Remove from the cluster first.
      const cluster = this.settings.current.clusters.find((c) => c.hostIds.includes(hostId));
      if (cluster)
        throw new ClusterdeckError(
          'invalid-state',
          `${this.store.get('hosts', hostId)?.name ?? 'That node'} is in the cluster ${cluster.name}: remove it from the cluster first, so its peers stop trusting it.`,
        );
      this.connection(hostId).dispose();
      this.connections.delete(hostId);
      this.store.removeHost(hostId);
      await this.settings.update((s) => {
        s.hosts = s.hosts.filter((h) => h.id !== hostId);
        delete s.secrets[hostId];
        for (const c of s.clusters) c.hostIds = c.hostIds.filter((id) => id !== hostId);
      });
      for (const c of this.settings.current.clusters) this.store.put('clusters', c.id, c);
      return {};
    },

    clusterPreflight: async ({ hostIds }) => {
      const nodes = hostIds.map((id) => {
        const host = this.store.get('hosts', id);
        if (!host) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
        const networks = this.store.all('networks').filter((n) => n.hostId === id);
        return { host, conn: this.connection(id), networks };
      });
      return { findings: await preflight(nodes) };
    },

    planCluster: async (spec) => {
      const { steps, problems } = await this.planCluster(spec);
      return { steps: steps.map(stepView), problems };
    },

    createCluster: async (spec) => {
      const { steps, problems, found } = await this.planCluster(spec);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const nodes = spec.hostIds.map((id) => this.store.get('hosts', id)!.name).join(', ');
      const taskId = this.tasks.start(`New cluster ${spec.name}`, nodes, async (ctx) => {
        await runPlan(
          ctx,
          steps,
          (id) => this.connection(id),
          spec.sharedPool ? 'pools' : undefined,
        );
        // Recorded only once every node reaches every other one; a re-run updates it.
        const existing = this.settings.current.clusters.find((c) => c.name === spec.name);
        const cluster = {
          id: existing?.id ?? randomUUID(),
          name: spec.name,
          hostIds: spec.hostIds,
          ...(found.cpu ? { cpu: found.cpu } : {}),
        };
        await this.settings.update((s) => {
          s.clusters = [...s.clusters.filter((c) => c.id !== cluster.id), cluster];
        });
        this.store.put('clusters', cluster.id, cluster);
      });
      return { taskId };
    },

    planMigration: async (spec) => {
      const { findings, steps } = await this.planMigration(spec);
      return {
        findings,
        steps: steps.map((st) =>
          stepView({ hostId: st.plan.vm.hostId, node: st.node, title: st.title, argv: st.argv }),
        ),
        problems: findings.filter((f) => f.level === 'problem').map((f) => f.detail),
      };
    },

    migrationTls: async ({ sourceHostId, targetHostId }) => {
      const node = (id: string) => ({
        name: this.store.get('hosts', id)?.name ?? id,
        conn: this.connection(id),
      });
      return checkTls(node(sourceHostId), node(targetHostId));
    },

    migrateVms: async (spec) => {
      const { findings, job, target } = await this.planMigration(spec);
      const problems = findings.filter((f) => f.level === 'problem').map((f) => f.detail);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const names = job.plans.map((p) => p.vm.name).join(', ');
      const taskId = this.tasks.start(`Migrate ${names}`, `to ${target.name}`, (ctx) =>
        runMigration(ctx, job),
      );
      return { taskId };
    },

    planMaintenance: async ({ hostId }) => {
      const { findings, job } = await this.planMaintenance(hostId);
      return {
        findings,
        steps: migrationSteps(job).map((st) =>
          stepView({ hostId: st.plan.vm.hostId, node: st.node, title: st.title, argv: st.argv }),
        ),
        problems: findings.filter((f) => f.level === 'problem').map((f) => f.detail),
      };
    },

    enterMaintenance: async ({ hostId, bringBack }) => {
      const host = this.store.get('hosts', hostId);
      if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
      if (host.maintenance)
        throw new ClusterdeckError('invalid-state', `${host.name} is already in maintenance mode.`);
      const { findings, job } = await this.planMaintenance(hostId);
      const problems = findings.filter((f) => f.level === 'problem').map((f) => f.detail);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const taskId = this.tasks.start(
        `Maintenance mode for ${host.name}`,
        host.name,
        async (ctx) => {
          if (job.plans.length) await runMigration(ctx, job);
          await this.setMaintenance(hostId, {
            since: Date.now(),
            bringBack: bringBack ? job.plans.map((p) => p.vm.uuid) : [],
          });
          ctx.detail(
            job.plans.length
              ? `${host.name} is in maintenance mode; ${job.plans.length} VM(s) moved.`
              : `${host.name} is in maintenance mode; it ran no VMs.`,
          );
        },
      );
      return { taskId };
    },

    exitMaintenance: async ({ hostId }) => {
      const host = this.store.get('hosts', hostId);
      if (!host?.maintenance)
        throw new ClusterdeckError(
          'invalid-state',
          `${host?.name ?? 'That node'} is not in maintenance mode.`,
        );
      const uuids = new Set(host.maintenance.bringBack);
      const vms = this.store.all('vms').filter((v) => uuids.has(v.uuid) && v.hostId !== hostId);
      const taskId = this.tasks.start(
        `End maintenance mode of ${host.name}`,
        host.name,
        async (ctx) => {
          // The mark goes first, or the node would refuse its own VMs back.
          await this.setMaintenance(hostId, undefined);
          if (!vms.length) return;
          const { findings, plans } = await migrationPreflight(
            this.migrationWorld(),
            vms,
            hostId,
            undefined,
          );
          const problems = findings.filter((f) => f.level === 'problem').map((f) => f.detail);
          if (problems.length)
            throw new ClusterdeckError(
              'command-failed',
              `The VMs cannot come back: ${problems.join(' ')}`,
            );
          await runMigration(ctx, this.migrationJob(plans, true));
        },
      );
      return { taskId };
    },

    readPerformance: async ({ hostId }) => {
      const now = await this.connection(hostId).getDriver().readCounters();
      const sample = toSample(now, this.lastCounters.get(hostId));
      this.lastCounters.set(hostId, now);
      return sample;
    },

    planRemoveClusterNode: async ({ clusterId, hostId }) => {
      const { steps, problems } = await this.planUntrust(clusterId, hostId);
      return { steps: steps.map(stepView), problems };
    },

    removeClusterNode: async ({ clusterId, hostId }) => {
      const { steps, problems, cluster } = await this.planUntrust(clusterId, hostId);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const name = this.store.get('hosts', hostId)?.name ?? hostId;
      const taskId = this.tasks.start(`Remove ${name} from ${cluster.name}`, name, async (ctx) => {
        await runPlan(ctx, steps, (id) => this.connection(id));
        // Recorded once the trust is taken back on every node.
        const next = { ...cluster, hostIds: cluster.hostIds.filter((id) => id !== hostId) };
        await this.settings.update((s) => {
          s.clusters = s.clusters.map((c) => (c.id === clusterId ? next : c));
        });
        this.store.put('clusters', clusterId, next);
      });
      return { taskId };
    },

    planRemoveCluster: async ({ clusterId }) => {
      const { steps, problems } = await this.planUntrust(clusterId);
      return { steps: steps.map(stepView), problems };
    },

    removeCluster: async ({ clusterId }) => {
      const { steps, problems, cluster } = await this.planUntrust(clusterId);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const taskId = this.tasks.start(`Remove cluster ${cluster.name}`, '', async (ctx) => {
        await runPlan(ctx, steps, (id) => this.connection(id));
        await this.settings.update((s) => {
          s.clusters = s.clusters.filter((c) => c.id !== clusterId);
        });
        this.store.del('clusters', clusterId);
      });
      return { taskId };
    },

    reconnectHost: async ({ hostId }) => {
      await this.connection(hostId).connect();
      return {};
    },

    vmAction: async ({ vmId, action }) => {
      const vm = this.freeVmOrThrow(vmId, VM_ACTION_LABELS[action]);
      const conn = this.connection(vm.hostId);
      const driver = conn.getDriver();
      const taskId = this.tasks.start(
        `${VM_ACTION_LABELS[action]} ${vm.name}`,
        `${vm.name} on ${conn.config.name}`,
        (ctx) => driver.vmAction(vm, action, ctx, this.settings.current.vmActionTimeoutSeconds),
      );
      return { taskId };
    },

    cancelTask: async ({ taskId }) => {
      this.tasks.cancel(taskId);
      return {};
    },

    undoTask: async ({ taskId }) => ({ taskId: this.tasks.undo(taskId) }),

    clearTasks: async () => {
      this.tasks.clearFinished();
      return {};
    },

    sshAliases: async () => readSshAliases(this.opts.sshConfig),

    appStatus: async () => {
      const box = this.opts.secretBox;
      return {
        notices: [...this.startupNotices],
        rememberPasswords: box.canPersist
          ? { available: true }
          : {
              available: false,
              ...(box.whyNot ? { reason: box.whyNot } : {}),
            },
      };
    },

    openConsole: async ({ vmId }, caller) => {
      const vm = this.vmOrThrow(vmId);
      const conn = this.connection(vm.hostId);
      const display = await conn.getDriver().displayAddress(vm);
      if (display.type !== 'vnc') {
        throw new ClusterdeckError(
          'unsupported',
          `${vm.name} has a SPICE display only; Clusterdeck's console speaks VNC. Add a VNC graphics device to the VM.`,
        );
      }
      const { endpoint, password } = display;
      const tunnel = () =>
        'socket' in endpoint
          ? conn.forwardOutSocket(endpoint.socket)
          : conn.forwardOut(endpoint.host, endpoint.port);
      const node = conn.config.name;
      // A VNC password from the VM's XML: the bridge logs in, the page never sees it.
      const login: Handshake | undefined = password
        ? async (page, screen) => {
            try {
              await loginToDisplay(screen, password);
            } catch (err) {
              const why = `${vm.name} on ${node}: ${(err as Error).message}`;
              await greetPage(page, why).catch(() => undefined);
              throw new Error(why);
            }
            await greetPage(page);
          }
        : undefined;
      const bridge = await openConsoleBridge(tunnel, login, this.guardFor(caller));
      return { consoleId: this.keepTunnel(bridge), url: bridge.url };
    },

    openTerminal: async (p, caller) => {
      const size = { cols: p.cols, rows: p.rows };
      if (p.kind === 'host') {
        const conn = this.connection(p.hostId);
        const bridge = await openTerminalBridge(
          (s) => conn.openPty(undefined, s),
          size,
          this.guardFor(caller),
        );
        const command = `ssh ${conn.config.user}@${conn.config.address}`;
        return { consoleId: this.keepTunnel(bridge), url: bridge.url, command };
      }
      const vm = this.vmOrThrow(p.vmId);
      const conn = this.connection(vm.hostId);
      if (vm.state !== 'running' && vm.state !== 'paused') {
        throw new ClusterdeckError(
          'invalid-state',
          `${vm.name} is not running on ${conn.config.name}; start it to use its serial console.`,
        );
      }
      if (!vm.textConsoles.some((c) => c.type === 'pty')) {
        throw new ClusterdeckError(
          'unsupported',
          `${vm.name} has no serial console on a pty. Add a serial port (type pty) to the VM.`,
        );
      }
      const argv = conn.getDriver().serialConsoleArgv(vm);
      const bridge = await openTerminalBridge(
        (s) => conn.openPty(argv, s),
        size,
        this.guardFor(caller),
      );
      return { consoleId: this.keepTunnel(bridge), url: bridge.url, command: quoteArgv(argv) };
    },

    planStoragePool: async ({ spec, hostIds }) => {
      const { steps, problems } = this.planPool(spec, hostIds);
      return { steps: steps.map(stepView), problems };
    },

    scanPoolSources: async ({ hostId, request }) => {
      const conn = this.connection(hostId);
      const driver = conn.getDriver();
      const argv = driver.scanSourcesArgv(request);
      const command = quoteArgv(argv);
      const r = await conn.exec(argv, { timeoutMs: 60_000 });
      // libvirt reports an empty answer from NFS and Gluster servers as an error.
      if (r.code !== 0 && /no storage pools were found on host/.test(r.stderr)) {
        return { command, sources: [] };
      }
      if (r.code !== 0) {
        throw new ClusterdeckError(
          'command-failed',
          `The scan on ${conn.config.name} failed: \`${command}\` said: ${commandReason(r.stderr, r.code)}.`,
        );
      }
      return { command, sources: driver.parseFoundSources(request, r.stdout) };
    },

    createStoragePool: async ({ spec, hostIds }) => {
      const { steps, problems } = this.planPool(spec, hostIds);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const nodes = [...new Set(steps.map((s) => s.node))].join(', ');
      const taskId = this.tasks.start(`New storage pool ${spec.name}`, nodes, (ctx) =>
        runPlan(ctx, steps, (id) => this.connection(id), 'pools'),
      );
      return { taskId };
    },

    poolAction: async ({ poolId, action }) => {
      const pool = this.poolOrThrow(poolId);
      const conn = this.connection(pool.hostId);
      const steps = onNode(conn, conn.getDriver().poolActionSteps(pool, action));
      const taskId = this.tasks.start(
        `${POOL_ACTION_TITLES[action]} ${pool.name}`,
        conn.config.name,
        (ctx) => runPlan(ctx, steps, (id) => this.connection(id), 'pools'),
      );
      return { taskId };
    },

    volumeAction: async ({ poolId, volume }) => {
      const pool = this.poolOrThrow(poolId);
      const conn = this.connection(pool.hostId);
      if (volume.op !== 'create' && !pool.volumes.some((v) => v.name === volume.name)) {
        throw new ClusterdeckError(
          'not-found',
          `${pool.name} on ${conn.config.name} has no volume ${volume.name}.`,
        );
      }
      const formatProblem =
        volume.op === 'create' ? newVolumeProblem(pool, volume.format) : undefined;
      if (formatProblem) throw new ClusterdeckError('invalid-input', formatProblem);
      const vol = pool.volumes.find((v) => v.name === volume.name);
      const inUse =
        volume.op === 'delete' && vol
          ? deleteVolumeProblem(pool, vol, this.store.all('vms'), conn.config.name)
          : undefined;
      if (inUse) throw new ClusterdeckError('invalid-state', inUse);
      const steps = onNode(conn, conn.getDriver().volumeSteps(pool, volume));
      const title = steps[0]?.title ?? 'Volume';
      const taskId = this.tasks.start(title, `${conn.config.name} / ${pool.name}`, (ctx) =>
        runPlan(ctx, steps, (id) => this.connection(id), 'pools'),
      );
      return { taskId };
    },

    volumeSnapshotUsers: async ({ poolId, volume }) => {
      const pool = this.poolOrThrow(poolId);
      const vol = pool.volumes.find((v) => v.name === volume);
      if (!vol) return { users: [] };
      const driver = this.connection(pool.hostId).getDriver();
      const withSnapshots = new Set(await driver.vmsWithSnapshots());
      const vms = this.store
        .all('vms')
        .filter((v) => v.hostId === pool.hostId && withSnapshots.has(v.uuid));
      const kept = await Promise.all(
        vms.map(async (vm) => ({ vm, snapshots: await driver.readSnapshots(vm) })),
      );
      return { users: snapshotUsers(pool, vol, kept) };
    },

    listSnapshots: async ({ vmId }) => {
      const vm = this.vmOrThrow(vmId);
      return { snapshots: await this.connection(vm.hostId).getDriver().readSnapshots(vm) };
    },

    snapshotAction: async ({ vmId, snapshot }) => {
      const vm = this.freeVmOrThrow(vmId, 'A snapshot change');
      const conn = this.connection(vm.hostId);
      const steps = onNode(conn, conn.getDriver().snapshotSteps(vm, snapshot));
      const taskId = this.tasks.start(steps[0]!.title, `${conn.config.name} / ${vm.name}`, (ctx) =>
        runPlan(ctx, steps, (id) => this.connection(id), 'vms'),
      );
      return { taskId };
    },

    deleteVm: async ({ vmId, disks }) => {
      const vm = this.freeVmOrThrow(vmId, 'Delete');
      const conn = this.connection(vm.hostId);
      for (const d of disks) {
        if (!vm.disks.some((x) => x.target === d))
          throw new ClusterdeckError('invalid-input', `${vm.name} has no disk ${d}.`);
      }
      const steps = onNode(conn, conn.getDriver().deleteVmSteps(vm, disks));
      const taskId = this.tasks.start(`Delete ${vm.name}`, conn.config.name, async (ctx) => {
        await runPlan(ctx, steps, (id) => this.connection(id), 'vms');
        if (disks.length) await conn.getDriver().refresh('pools');
      });
      return { taskId };
    },

    planVmSettings: async ({ vmId, settings }) => {
      const vm = this.vmOrThrow(vmId);
      const conn = this.connection(vm.hostId);
      const { diff, steps } = await conn.getDriver().vmSettingsPlan(vm, settings);
      return {
        diff,
        steps: onNode(conn, steps).map(stepView),
        ...(vm.state !== 'shutoff'
          ? {
              note: `${vm.name} is running: CPU, memory, boot and device changes apply at its next start.`,
            }
          : {}),
      };
    },

    applyVmSettings: async ({ vmId, settings }) => {
      const vm = this.freeVmOrThrow(vmId, 'A settings change');
      const conn = this.connection(vm.hostId);
      const { steps } = await conn.getDriver().vmSettingsPlan(vm, settings);
      if (!steps.length)
        throw new ClusterdeckError('invalid-input', `Nothing in ${vm.name}'s settings changed.`);
      const planned = onNode(conn, steps);
      const taskId = this.tasks.start(`Settings of ${vm.name}`, conn.config.name, (ctx) =>
        runPlan(ctx, planned, (id) => this.connection(id), 'vms'),
      );
      return { taskId };
    },

    cloneVm: async ({ vmId, name }) => {
      const vm = this.freeVmOrThrow(vmId, 'Clone');
      const conn = this.connection(vm.hostId);
      if (vm.state !== 'shutoff') {
        throw new ClusterdeckError(
          'invalid-state',
          `${vm.name} is running; shut it down first, so its disks are copied whole.`,
        );
      }
      if (this.store.all('vms').some((v) => v.hostId === vm.hostId && v.name === name)) {
        throw new ClusterdeckError(
          'invalid-input',
          `${conn.config.name} already has a VM named ${name}.`,
        );
      }
      const steps = onNode(conn, await conn.getDriver().cloneVmSteps(vm, name));
      const taskId = this.tasks.start(
        `Clone ${vm.name} as ${name}`,
        conn.config.name,
        async (ctx) => {
          await runPlan(ctx, steps, (id) => this.connection(id), 'pools');
          await conn.getDriver().refresh('vms');
        },
      );
      return { taskId };
    },

    planVm: async ({ hostId, spec }) => {
      const { steps, problems } = this.planVm(hostId, spec);
      return { steps: steps.map(stepView), problems };
    },

    createVm: async ({ hostId, spec }) => {
      const { steps, problems } = this.planVm(hostId, spec);
      if (problems.length) throw new ClusterdeckError('invalid-input', problems.join(' '));
      const conn = this.connection(hostId);
      const taskId = this.tasks.start(`New VM ${spec.name}`, conn.config.name, async (ctx) => {
        await runPlan(ctx, steps, (id) => this.connection(id), 'pools');
        await conn.getDriver().refresh('vms');
      });
      return { taskId };
    },

    startDownload: async ({ poolId, volume }, caller) => {
      const pool = this.poolOrThrow(poolId);
      const conn = this.connection(pool.hostId);
      const vol = pool.volumes.find((v) => v.name === volume);
      if (!vol)
        throw new ClusterdeckError(
          'not-found',
          `${pool.name} on ${conn.config.name} has no volume ${volume}.`,
        );
      if (
        (pool.type !== 'dir' && pool.type !== 'netfs') ||
        !vol.path.startsWith(`${pool.targetPath}/`)
      ) {
        throw new ClusterdeckError(
          'unsupported',
          `${volume} is in a ${pool.type} pool; downloads come from directory and network file system pools for now.`,
        );
      }
      return startDownload(this.tasks, conn, pool, vol, this.guardFor(caller));
    },

    appInfo: async () => ({ nativeFilePicker: !!this.opts.pickFile }),

    chooseLocalFile: async () => {
      if (!this.opts.pickFile) {
        throw new ClusterdeckError('unsupported', 'This window has no file dialog of its own.');
      }
      const path = await this.opts.pickFile();
      if (!path) return null;
      const st = await stat(path);
      if (!st.isFile()) throw new ClusterdeckError('invalid-input', `${path} is not a file.`);
      const fileId = randomUUID();
      // Kept for one upload only; the page knows the id, never the path.
      this.chosenFiles.set(fileId, { path, bytes: st.size });
      return { fileId, name: basename(path), bytes: st.size };
    },

    startUpload: async ({ poolId, name, bytes, fileId }, caller) => {
      const pool = this.poolOrThrow(poolId);
      const conn = this.connection(pool.hostId);
      const node = conn.config.name;
      if ((pool.type !== 'dir' && pool.type !== 'netfs') || !pool.targetPath) {
        throw new ClusterdeckError(
          'unsupported',
          `${pool.name} on ${node} is a ${pool.type} pool; uploads go to directory and network file system pools for now.`,
        );
      }
      if (pool.state !== 'running') {
        throw new ClusterdeckError(
          'invalid-state',
          `${pool.name} on ${node} is not running; start it first.`,
        );
      }
      if (pool.volumes.some((v) => v.name === name)) {
        throw new ClusterdeckError(
          'invalid-input',
          `${pool.name} on ${node} already has a volume named ${name}.`,
        );
      }
      if (fileId) {
        const file = this.chosenFiles.get(fileId);
        this.chosenFiles.delete(fileId);
        if (!file) throw new ClusterdeckError('not-found', 'Choose the file again.');
        const taskId = this.tasks.start(`Upload ${name}`, `${node} / ${pool.name}`, (ctx) =>
          uploadIntoPool(ctx, {
            conn,
            pool,
            name,
            bytes: file.bytes,
            source: { kind: 'file', path: file.path },
          }),
        );
        return { taskId };
      }
      const receiver = await openUploadReceiver(bytes, this.guardFor(caller));
      const taskId = this.tasks.start(`Upload ${name}`, `${node} / ${pool.name}`, (ctx) =>
        uploadIntoPool(ctx, { conn, pool, name, bytes, source: { kind: 'page', receiver } }),
      );
      return { taskId, url: receiver.url };
    },

    resizeTerminal: async ({ consoleId, cols, rows }) => {
      const t = this.consoles.get(consoleId);
      if (t && 'resize' in t) t.resize({ cols, rows });
      return {};
    },

    closeConsole: async ({ consoleId }) => {
      await this.consoles.get(consoleId)?.close();
      return {};
    },
  };

  /**
   * Runs one remote command as a task on a host; fails the task on a
   * non-zero exit. The building block of wizard steps.
   */
  runCommand(hostId: string, title: string, argv: readonly string[]): string {
    const conn = this.connection(hostId);
    return this.tasks.start(title, conn.config.name, async (ctx) => {
      const r = await conn.exec(argv, { signal: ctx.signal, log: ctx.log, timeoutMs: 600_000 });
      if (r.code !== 0) {
        throw new ClusterdeckError(
          'command-failed',
          `${conn.config.name}: \`${quoteArgv(argv)}\` exited with ${r.code}: ${r.stderr.trim() || 'no error output'}.`,
        );
      }
    });
  }

  /** What the migration checks read: the inventory and the connections. */
  private migrationWorld(): MigrationWorld {
    return {
      hosts: (id) => this.store.get('hosts', id),
      conn: (id) => this.connection(id),
      pools: this.store.all('pools'),
      networks: this.store.all('networks'),
      clusters: this.store.all('clusters'),
      inMaintenance: (id) => !!this.store.get('hosts', id)?.maintenance,
      busy: (vm) => this.vmBusy(vm),
    };
  }

  private migrationJob(
    plans: VmPlan[],
    persist: boolean,
    bandwidthMiBs?: number,
    transport: MigrationSpec['transport'] = 'plain',
  ): MigrationJob {
    return {
      plans,
      persist,
      bandwidthMiBs,
      transport,
      conn: (id) => this.connection(id),
      hostName: (id) => this.store.get('hosts', id)?.name ?? id,
    };
  }

  /** Migrate VM's checks and the job they allow. */
  private async planMigration(spec: MigrationSpec) {
    const vms = spec.vmIds.map((id) => this.vmOrThrow(id));
    const target = this.store.get('hosts', spec.targetHostId);
    if (!target) throw new ClusterdeckError('not-found', 'The target node is no longer added.');
    const { findings, plans } = await migrationPreflight(
      this.migrationWorld(),
      vms,
      spec.targetHostId,
      spec.copyStorage,
      spec.transport,
    );
    const job = this.migrationJob(plans, spec.persist, spec.bandwidthMiBs, spec.transport);
    return { findings, job, target, steps: migrationSteps(job) };
  }

  /** Maintenance mode's moves: every running VM of the node to a cluster peer. */
  private async planMaintenance(hostId: string) {
    const host = this.store.get('hosts', hostId);
    if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
    const { findings, plans } = await planEvacuation(
      this.migrationWorld(),
      host,
      this.store.all('vms'),
    );
    return { findings, job: this.migrationJob(plans, true) };
  }

  private async setMaintenance(hostId: string, m: HostConfig['maintenance']): Promise<void> {
    await this.settings.update((s) => {
      const h = s.hosts.find((x) => x.id === hostId);
      if (!h) return;
      if (m) h.maintenance = m;
      else delete h.maintenance;
    });
    this.connection(hostId).setMaintenance(m);
  }

  /** New Cluster's plan: trust between every pair of nodes, and what stands in the way. */
  private async planCluster(
    spec: ClusterSpec,
  ): Promise<{ steps: PlannedStep[]; problems: string[]; found: ClusterFindings }> {
    const problems: string[] = [];
    const members: ClusterMember[] = [];
    const found: ClusterFindings = {};
    for (const id of spec.hostIds) {
      const host = this.store.get('hosts', id);
      if (!host) {
        problems.push('A chosen node is no longer added.');
        continue;
      }
      if (host.state !== 'connected') problems.push(`${host.name} is not connected.`);
      else if (host.stack !== 'libvirt') problems.push(`${host.name} is not a libvirt node.`);
      const other = this.settings.current.clusters.find(
        (c) => c.name !== spec.name && c.hostIds.includes(id),
      );
      if (other) problems.push(`${host.name} is already in the cluster ${other.name}.`);
      // Peers accept a node's key from its address only (from= in authorized_keys).
      if (!isIP(host.address))
        problems.push(
          `${host.name} was added by the name ${host.address}; a cluster needs its nodes added by IP address.`,
        );
      const hostKeyLines = await this.knownHosts.lines(host.address, host.port);
      if (!hostKeyLines.length)
        problems.push(`Clusterdeck has no verified host key for ${host.name}.`);
      members.push({ host, hostKeyLines });
    }
    problems.push(...memberClashes(members));
    const steps = problems.length ? [] : clusterPlan(members, found);
    if (spec.sharedPool && !problems.length) {
      const pool = this.planPool(spec.sharedPool, spec.hostIds);
      problems.push(...pool.problems);
      steps.push(...pool.steps);
    }
    return { steps: problems.length ? [] : steps, problems, found };
  }

  /**
   * Remove node (hostId) or Remove cluster (no hostId): the steps that take
   * the cluster's SSH trust back on its nodes, and what stands in the way.
   * A node that leaves may be unreachable (its peers still revoke its key);
   * every node that stays, and every node of a cluster being removed, must be
   * connected, or a grant would stay behind.
   */
  private async planUntrust(
    clusterId: string,
    hostId?: string,
  ): Promise<{ steps: PlannedStep[]; problems: string[]; cluster: Cluster }> {
    const cluster = this.store.get('clusters', clusterId);
    if (!cluster) throw new ClusterdeckError('not-found', 'That cluster is no longer there.');
    if (hostId !== undefined && !cluster.hostIds.includes(hostId))
      throw new ClusterdeckError('not-found', 'That node is not in that cluster.');
    const problems: string[] = [];
    const members: ClusterMember[] = [];
    for (const id of cluster.hostIds) {
      const host = this.store.get('hosts', id);
      if (!host) continue;
      members.push({ host, hostKeyLines: await this.knownHosts.lines(host.address, host.port) });
    }
    const connected = (m: ClusterMember) => m.host.state === 'connected';
    const leaving = members.filter((m) => hostId === undefined || m.host.id === hostId);
    const staying = members.filter((m) => !leaving.includes(m));
    for (const m of hostId === undefined ? members : staying)
      if (!connected(m))
        problems.push(
          `${m.host.name} is not connected: its SSH trust for the cluster cannot be taken back.`,
        );
    if (hostId !== undefined) {
      const vms = this.store.all('vms').filter((v) => v.hostId === hostId);
      if (vms.length)
        problems.push(
          `${leaving[0]?.host.name ?? 'The node'} still hosts ${vms.map((v) => v.name).join(', ')}: migrate or remove them first.`,
        );
    }
    const steps = problems.length ? [] : untrustPlan(leaving, staying, connected);
    return { steps, problems, cluster };
  }

  /** New Storage Pool's plan: the same pool on every chosen node, and what stands in the way. */
  private planPool(
    spec: PoolSpec,
    hostIds: readonly string[],
  ): { steps: PlannedStep[]; problems: string[] } {
    const steps: PlannedStep[] = [];
    const problems: string[] = [];
    // In the order of the tree (by node name), whatever order they were picked in.
    const conns = [...new Set(hostIds)]
      .map((id) => this.connection(id))
      .sort((a, b) => a.config.name.localeCompare(b.config.name));
    for (const conn of conns) {
      const hostId = conn.id;
      const node = conn.config.name;
      if (this.store.get('hosts', hostId)?.state !== 'connected') {
        problems.push(`${node} is not connected.`);
        continue;
      }
      if (this.store.all('pools').some((p) => p.hostId === hostId && p.name === spec.name)) {
        problems.push(`${node} already has a storage pool named ${spec.name}.`);
      }
      steps.push(...onNode(conn, conn.getDriver().createPoolSteps(spec)));
    }
    return { steps, problems };
  }

  private poolOrThrow(poolId: string): StoragePool {
    const pool = this.store.get('pools', poolId);
    if (!pool)
      throw new ClusterdeckError('not-found', 'That storage pool is no longer on its node.');
    return pool;
  }

  private vmOrThrow(vmId: string): Vm {
    const vm = this.store.get('vms', vmId);
    if (!vm) throw new ClusterdeckError('not-found', 'That VM is no longer on its node.');
    return vm;
  }

  /** "Migrating to node2" while a running task moves the VM. */
  private vmBusy(vm: Vm): string | undefined {
    return runningVmJob(this.store.all('tasks'), this.store.snapshotOf('hosts'), vm)?.words;
  }

  /** The VM, unless a running task (a migration) holds it: `what` waits for that task. */
  private freeVmOrThrow(vmId: string, what: string): Vm {
    const vm = this.vmOrThrow(vmId);
    const busy = this.vmBusy(vm);
    if (busy) {
      const node = this.store.get('hosts', vm.hostId)?.name ?? 'its node';
      throw new ClusterdeckError(
        'invalid-state',
        `${vm.name} on ${node} is busy: ${busy}. ${what} is refused until that task ends; cancel it in the Tasks pane to stop the migration.`,
      );
    }
    return vm;
  }

  /** New VM's plan on one node, with the checks an administrator would make first. */
  private planVm(hostId: string, spec: VmSpec): { steps: PlannedStep[]; problems: string[] } {
    const conn = this.connection(hostId);
    const node = conn.config.name;
    const host = this.store.get('hosts', hostId);
    if (host?.state !== 'connected') return { steps: [], problems: [`${node} is not connected.`] };
    const problems: string[] = [];
    const poolOf = (poolId: string, what: string) => {
      const p = this.store.get('pools', poolId);
      if (!p || p.hostId !== hostId) problems.push(`The pool for the ${what} is not on ${node}.`);
      else if (p.state !== 'running')
        problems.push(`${p.name} on ${node} is not running; start it first.`);
      return p && p.hostId === hostId ? p : undefined;
    };
    if (this.store.all('vms').some((v) => v.hostId === hostId && v.name === spec.name)) {
      problems.push(`${node} already has a VM named ${spec.name}.`);
    }
    const totalMiB = (host.info?.memoryKiB ?? 0) / 1024;
    if (totalMiB && spec.memoryMiB > totalMiB) {
      problems.push(
        `${spec.memoryMiB} MiB of memory is more than ${node} has (${Math.floor(totalMiB)} MiB).`,
      );
    }
    const cpus = host.info?.cpus ?? 0;
    if (cpus && spec.vcpus > cpus)
      problems.push(`${spec.vcpus} vCPUs is more than ${node}'s ${cpus} CPUs.`);
    if (spec.kvm && host.info?.virtualization !== 'kvm') {
      problems.push(`${node} has no KVM; untick hardware acceleration to run the guest emulated.`);
    }
    const pools: { disk?: StoragePool; iso?: StoragePool } = {};
    if (spec.disk.kind !== 'none') {
      const p = poolOf(spec.disk.poolId, 'disk');
      if (p) pools.disk = p;
      if (p && spec.disk.kind === 'new') {
        const formatProblem = newVolumeProblem(p, spec.disk.format);
        if (formatProblem) problems.push(formatProblem);
        // A pool that reports no capacity at all (Ceph without a manager) has an unknown size.
        if (p.capacity > 0 && spec.disk.bytes > p.available)
          problems.push(
            `${p.name} on ${node} has ${formatBytes(p.available)} free, less than the ${formatBytes(spec.disk.bytes)} disk.`,
          );
        const vol = diskVolumeName(spec.name, spec.disk.format);
        if (p.volumes.some((v) => v.name === vol))
          problems.push(`${p.name} on ${node} already has a volume ${vol}.`);
      }
      if (p && spec.disk.kind === 'existing') {
        const name = spec.disk.volume;
        const vol = p.volumes.find((v) => v.name === name);
        // Two guests writing one image corrupt it.
        const users = vol ? volumeUsers(p, vol, this.store.all('vms')) : [];
        if (!vol) problems.push(`${p.name} on ${node} has no volume ${name}.`);
        else if (users.length)
          problems.push(
            `${name} in ${p.name} on ${node} is already a disk of ${namesOfUsers(users)}.`,
          );
      }
    }
    if (spec.boot.kind === 'iso') {
      const p = poolOf(spec.boot.poolId, 'install medium');
      if (p) pools.iso = p;
      const name = spec.boot.volume;
      const vol = p?.volumes.find((v) => v.name === name);
      if (p && !vol) problems.push(`${p.name} on ${node} has no volume ${name}.`);
      const notIso = p && vol ? isoProblem(p, vol, this.store.all('vms')) : undefined;
      if (notIso) problems.push(`${notIso} Choose an ISO image as the install medium.`);
    }
    if (spec.network.kind === 'network') {
      const name = spec.network.name;
      const net = this.store.all('networks').find((n) => n.hostId === hostId && n.name === name);
      if (!net) problems.push(`${node} has no libvirt network named ${name}.`);
      else if (!net.active && spec.start)
        problems.push(
          `The network ${name} on ${node} is not active; the VM could not start on it.`,
        );
    }
    let cpu: CpuModel | undefined;
    if (spec.kvm && spec.cpu === 'cluster') {
      cpu = this.store.all('clusters').find((c) => c.hostIds.includes(hostId))?.cpu;
      if (!cpu)
        problems.push(
          `${node} is in no cluster with a common CPU model; choose the node’s own CPU, or re-run New Cluster.`,
        );
    }
    const steps = onNode(conn, conn.getDriver().createVmSteps(spec, pools, cpu));
    return { steps, problems };
  }

  /** A loopback listener for this caller's page only, waiting for it as long as configured. */
  private guardFor(caller: Caller): PageGuard {
    return { pageOrigin: caller.pageOrigin, pageWaitMs: this.opts.pageWaitMs };
  }

  private keepTunnel(bridge: ConsoleBridge): string {
    const consoleId = randomUUID();
    this.consoles.set(consoleId, bridge);
    void bridge.closed.then(() => this.consoles.delete(consoleId));
    return consoleId;
  }

  /** Open console tunnels, for tests that check nothing leaks. */
  get openConsoles(): number {
    return this.consoles.size;
  }

  close(): void {
    for (const b of this.consoles.values()) void b.close();
    for (const c of this.connections.values()) c.dispose();
    this.connections.clear();
  }
}
