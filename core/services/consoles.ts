// Consoles: a VM's VNC display and serial console, a node's login shell,
// each through a tunnel on 127.0.0.1 for the asking page only. The only
// holder of the open tunnels.
import { randomUUID } from 'node:crypto';
import { ClusterdeckError } from '../../shared/errors';
import { openConsoleBridge, type ConsoleBridge, type Handshake } from '../consoles/bridge';
import { openTerminalBridge, type TerminalBridge } from '../consoles/terminal';
import { greetPage, loginToDisplay } from '../consoles/vnc-login';
import { quoteArgv } from '../ssh/quote';
import { guardFor, vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';

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
      const { connect: tunnel, password } = await conn.getDriver().openConsole(vm);
      const node = conn.config.name;
      // A VNC password from the driver: the bridge logs in, the page never sees it.
      const login: Handshake | undefined = password
        ? async (page, screen) => {
            try {
              const secret = typeof password === 'function' ? password() : password;
              if (secret === undefined) throw new Error('the display gave no VNC password');
              await loginToDisplay(screen, secret);
            } catch (err) {
              const why = `${vm.name} on ${node}: ${(err as Error).message}`;
              await greetPage(page, why).catch(() => undefined);
              throw new Error(why);
            }
            await greetPage(page);
          }
        : undefined;
      const bridge = await openConsoleBridge(tunnel, login, guardFor(this.ctx, caller));
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
