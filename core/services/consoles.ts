// Consoles: a VM's VNC display and serial console, a node's login shell,
// each through a tunnel on 127.0.0.1 for the asking page only. The only
// holder of the open tunnels.
import { randomUUID } from 'node:crypto';
import { ClusterdeckError } from '../../shared/errors';
import { openConsoleBridge, type ConsoleBridge } from '../consoles/bridge';
import { openTerminalBridge, type TerminalBridge } from '../consoles/terminal';
import { passwordLogin } from '../consoles/vnc-login';
import type { ConsoleSource } from '../drivers/capabilities';
import type { HostConnection } from '../hosts/connection';
import { quoteArgv } from '../ssh/quote';
import type { PageGuard } from '../transfers/page-guard';
import { guardFor, vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';

/**
 * The console on the node's data worker, so its bytes never load the main
 * thread (core/dataplane): for a display the node's SSH reaches, with a
 * password known now. Undefined where it cannot be.
 */
async function onDataWorker(
  conn: HostConnection,
  source: ConsoleSource,
  what: string,
  guard: PageGuard,
): Promise<ConsoleBridge | undefined> {
  const { route, password } = source;
  if (!route || typeof password === 'function') return undefined;
  const worker = await conn.dataPlane();
  return worker?.openConsole({ route, what, guard, ...(password ? { password } : {}) });
}

export class ConsoleService {
  /** Open tunnels by id: VNC consoles and terminals alike. */
  private readonly consoles = new Map<string, ConsoleBridge | TerminalBridge>();

  constructor(private readonly ctx: ServiceContext) {}

  /** Open console tunnels, for tests that check nothing leaks. */
  get open(): number {
    return this.consoles.size;
  }

  close(): void {
    for (const b of this.consoles.values()) void b.close();
  }

  private keepTunnel(bridge: ConsoleBridge): string {
    const consoleId = randomUUID();
    this.consoles.set(consoleId, bridge);
    void bridge.closed.then(() => this.consoles.delete(consoleId));
    return consoleId;
  }

  readonly handlers: HandlersOf<
    'openConsole' | 'openTerminal' | 'resizeTerminal' | 'closeConsole'
  > = {
    openConsole: async ({ vmId }, caller) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const conn = this.ctx.connection(vm.hostId);
      const source = await conn.getDriver().openConsole(vm);
      const what = `${vm.name} on ${conn.config.name}`;
      const guard = guardFor(this.ctx, caller);
      const bridge =
        (await onDataWorker(conn, source, what, guard)) ??
        // A VNC password from the driver: the bridge logs in, the page never sees it.
        (await openConsoleBridge(
          source.connect,
          source.password ? passwordLogin(source.password, what) : undefined,
          guard,
        ));
      return { consoleId: this.keepTunnel(bridge), url: bridge.url };
    },

    openTerminal: async (p, caller) => {
      const size = { cols: p.cols, rows: p.rows };
      if (p.kind === 'host') {
        const conn = this.ctx.connection(p.hostId);
        const bridge = await openTerminalBridge(
          (s) => conn.openPty(undefined, s),
          size,
          guardFor(this.ctx, caller),
        );
        const command = `ssh ${conn.config.user}@${conn.config.address}`;
        return { consoleId: this.keepTunnel(bridge), url: bridge.url, command };
      }
      const vm = vmOrThrow(this.ctx, p.vmId);
      const conn = this.ctx.connection(vm.hostId);
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
        guardFor(this.ctx, caller),
      );
      return { consoleId: this.keepTunnel(bridge), url: bridge.url, command: quoteArgv(argv) };
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
}
