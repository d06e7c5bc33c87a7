// The console of a Proxmox VE guest, as Proxmox's own noVNC page opens it:
// `POST /nodes/{node}/{qemu|lxc}/{vmid}/vncproxy` with websocket=1 starts a
// vncproxy worker on the guest's node that waits ~10 s for one connection
// on a port it answers, with a VNC ticket (valid ~40 s); `GET
// …/vncwebsocket?port=…&vncticket=…` checks the ticket and bridges that port
// to a WebSocket. Both go through the API tunnel (the SSH session's forward
// to the connected node's 127.0.0.1:8006, pinned TLS, the API token), which
// proxies to the guest's node. Inside, the guest's VNC server asks for a
// password: the one vncproxy answered (PVE 9, or PVE 8 asked with
// generate-password), else the ticket (a container's vncterm, older nodes).
// The app's console bridge logs in with it, so neither the token nor the
// ticket reaches the page. Each connect() makes a new vncproxy: a ticket and
// a worker live seconds, and the page may connect later than open.
import type { Duplex } from 'node:stream';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import type { ConsoleSource } from '../capabilities';
import type { PveApiClient } from './api-client';

export interface GuestRef {
  node: string;
  vmid: number;
  type: 'qemu' | 'lxc';
}

interface VncProxyAnswer {
  port: number;
  ticket: string;
  password?: string;
}

/** vncproxy's answer, checked: the port goes into a URL and the ticket into the VNC login. */
function readAnswer(data: unknown, where: string): VncProxyAnswer {
  const d = (data ?? {}) as Record<string, unknown>;
  const port = Number(d.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || typeof d.ticket !== 'string')
    throw new ClusterdeckError(
      'command-failed',
      `${where} answered no console port and ticket (${JSON.stringify(Object.keys(d))}).`,
    );
  return {
    port,
    ticket: d.ticket,
    ...(typeof d.password === 'string' && d.password ? { password: d.password } : {}),
  };
}

/**
 * The guest's VNC display as a byte stream through the API tunnel. `major`
 * is the node's PVE release: 8 is asked for a generated password (its
 * ticket's first 8 bytes, all VNC uses, are nearly constant); 9 makes one
 * unasked and marks the parameter deprecated.
 */
export function guestConsole(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  major: number | undefined,
): ConsoleSource {
  if (vm.state !== 'running')
    throw new ClusterdeckError(
      'invalid-state',
      `${vm.name} is not running on ${g.node}; start it to open its console.`,
    );
  const base = `/nodes/${g.node}/${g.type}/${g.vmid}`;
  let password: string | undefined;
  const connect = async (): Promise<Duplex> => {
    const params =
      g.type === 'qemu' && major === 8
        ? { websocket: 1, 'generate-password': 1 }
        : { websocket: 1 };
    const answer = readAnswer(
      await api.create(`${base}/vncproxy`, params),
      `${api.node}: \`pvesh create ${base}/vncproxy\``,
    );
    password = answer.password ?? answer.ticket;
    return api.webSocket(
      `${base}/vncwebsocket`,
      { port: answer.port, vncticket: answer.ticket },
      { hidden: ['vncticket'] },
    );
  };
  return { protocol: 'vnc', connect, password: () => password };
}
