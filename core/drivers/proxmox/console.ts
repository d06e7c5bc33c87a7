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
// ticket reaches the page. A display that never speaks (the worker failed:
// guest gone, no VNC) is reported with the worker's own reason. Each
// connect() makes a new vncproxy: a ticket and a worker live seconds, and
// the page may connect later than open.
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
  upid?: string;
  password?: string;
}

/** How long the display may take to send its first bytes (RFB's ProtocolVersion). */
const FIRST_BYTES_MS = 15_000;

/**
 * Resolves once the stream has bytes (left unread for the VNC login), or
 * rejects when it ends, fails or stays silent first.
 */
function firstBytes(stream: Duplex, ms = FIRST_BYTES_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      if (!chunk) return;
      cleanup();
      stream.unshift(chunk);
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the console closed before the display said anything'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the display sent nothing in ${ms / 1000} s`));
    }, ms);
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onEnd);
  });
}

/** The vncproxy worker's own words for its failure: its exit status and last log line. */
async function workerFailure(api: PveApiClient, node: string, upid: string): Promise<string> {
  const path = `/nodes/${node}/tasks/${upid}`;
  // The worker may still be ending: a few reads over about a second.
  for (let i = 0; i < 5; i++) {
    const st = await api.get<{ status?: string; exitstatus?: string }>(`${path}/status`);
    if (st?.status === 'stopped') {
      const log = await api.get<{ n: number; t: string }[]>(`${path}/log`);
      const said = (log ?? []).map((l) => l.t).filter((t) => !/^TASK (OK|ERROR)/.test(t));
      return [said.at(-1), st.exitstatus?.replace(/\.$/, '')].filter(Boolean).join('; ');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return '';
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
    ...(typeof d.upid === 'string' ? { upid: d.upid } : {}),
    ...(typeof d.password === 'string' && d.password ? { password: d.password } : {}),
  };
}

/**
 * The guest's VNC display as a byte stream through the API tunnel. `major`
 * is the node's PVE release: 8 is asked for a generated password (its
 * ticket's first 8 bytes, all VNC uses, are nearly constant); 9 marks the
 * parameter deprecated ("Password is generated when required").
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
    const stream = await api.webSocket(
      `${base}/vncwebsocket`,
      { port: answer.port, vncticket: answer.ticket },
      { hidden: ['vncticket'] },
    );
    try {
      await firstBytes(stream);
    } catch (err) {
      // The socket opened but the worker could not reach the display: say
      // why in PVE's words (its task) rather than as a broken VNC login.
      stream.destroy();
      const why = answer.upid ? await workerFailure(api, g.node, answer.upid).catch(() => '') : '';
      throw new ClusterdeckError(
        'command-failed',
        `${vm.name} on ${g.node}: its console did not start (${why || (err as Error).message}).`,
      );
    }
    return stream;
  };
  return { protocol: 'vnc', connect, password: () => password };
}
