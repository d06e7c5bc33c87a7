// Where a VM's display is, as the connected node's SSH session reaches it:
// a TCP address or a unix socket as the node sees them, or a command whose
// stdin and stdout carry the display's bytes (a relay to another node). Plain
// data, so a worker thread with a connection of its own can open it as well
// (core/dataplane); one function opens it in both places.
import type { Duplex } from 'node:stream';
import type { SshSession } from '../ssh/session';

export type DisplayRoute =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'socket'; path: string }
  | { kind: 'command'; argv: string[] };

export function openRoute(session: SshSession, route: DisplayRoute): Promise<Duplex> {
  switch (route.kind) {
    case 'tcp':
      return session.forwardOut(route.host, route.port);
    case 'socket':
      return session.forwardOutSocket(route.path);
    case 'command':
      return session.openChannel(route.argv);
  }
}
