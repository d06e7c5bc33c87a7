// A terminal tunnel: the console bridge carrying the bytes of an SSH channel
// on a pseudo-terminal (a node's shell, a VM's serial console), plus the
// one thing bytes cannot say, the terminal's size.
import type { ClientChannel } from 'ssh2';
import type { PtySize } from '../ssh/session';
import type { PageGuard } from '../transfers/page-guard';
import { openConsoleBridge, type ConsoleBridge } from './bridge';

export interface TerminalBridge extends ConsoleBridge {
  resize(size: PtySize): void;
}

export async function openTerminalBridge(
  open: (size: PtySize) => Promise<ClientChannel>,
  initial: PtySize,
  guard: PageGuard = {},
): Promise<TerminalBridge> {
  let size = initial;
  let channel: ClientChannel | undefined;
  const bridge = await openConsoleBridge(
    async () => {
      // The page may have resized between asking for the tunnel and using it.
      channel = await open(size);
      return channel;
    },
    undefined,
    guard,
  );
  return {
    ...bridge,
    resize(next) {
      size = next;
      // ssh2 wants rows before cols; pixel sizes are unknown and sent as 0.
      channel?.setWindow(next.rows, next.cols, 0, 0);
    },
  };
}
