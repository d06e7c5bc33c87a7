// Consoles as qemu-server and pve-container serve them: `POST …/vncproxy`
// signs a VNC ticket for the user and /vms/<vmid>, picks a port in
// 5900–5999 and starts a `vncproxy` worker listening there for one
// connection (10 s, then "connection timed out"); `GET …/vncwebsocket`
// checks that ticket (PVE: verify_vnc_ticket, valid from 20 s before to 40 s
// after it was made) and answers the port, which pveproxy then connects to
// and bridges to the WebSocket (server.ts's upgrade). PVE does not check that
// the port belongs to the VM ("VNC ports are accessible from outside… this
// check is done by verifying the VNC ticket inside VNC protocol"): the
// worker's `qm vncproxy` sets the guest's VNC password (QMP set_password,
// expire_password +30) before it connects the guest's display, so only the
// holder of that password gets past the VNC login. The password is the
// ticket, or on PVE 8 with generate-password a random one returned beside
// it; PVE 9's schema marks that parameter deprecated ("Password is generated
// when required"), modelled here as always generated for a VM (a reading
// of the schema's text, not checked on a real PVE 9 node). For a container, vncterm checks the ticket the same
// way. Here the display is whatever `sim.displays` gives (a real QEMU in the
// lab), and the worker's "port" is a table entry, not a TCP listener.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { flag, PveError, type Ctx, type Handler, type Sim } from './context';
import { guestOf } from './guests';
import type { Guest, GuestKind } from './state';
import type { OpenTask } from './tasks';

const VNC_PORT_MIN = 5900;
const VNC_PORT_MAX = 5999;
/** How long a vncproxy worker waits for its connection, as qemu-server's $timeout. */
export const VNCPROXY_WAIT_MS = 10_000;
const TICKET_MIN_AGE = -20;
const TICKET_MAX_AGE = 40;
const PASSWORD_EXPIRY_S = 30;

interface Listener {
  guest: Guest;
  password: string;
  task: OpenTask;
  timer: NodeJS.Timeout;
}

interface ConsoleState {
  key: Buffer;
  /** Waiting vncproxy workers by `<node>:<port>`. */
  listeners: Map<string, Listener>;
}

const states = new WeakMap<Sim, ConsoleState>();
function stateOf(sim: Sim): ConsoleState {
  let s = states.get(sim);
  if (!s) {
    s = { key: randomBytes(32), listeners: new Map() };
    states.set(sim, s);
  }
  return s;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
const sign = (key: Buffer, plain: string, user: string, path: string) =>
  createHmac('sha256', key).update(`${plain}:${user}:${path}`).digest('base64');

/** PVE's assemble_vnc_ticket: `PVEVNC:<hex time>::<signature>` over user and path. */
export function vncTicket(sim: Sim, user: string, path: string, now = Date.now()): string {
  const plain = `PVEVNC:${hex8(Math.floor(now / 1000))}`;
  return `${plain}::${sign(stateOf(sim).key, plain, user, path)}`;
}

/** PVE's verify_vnc_ticket: the ticket must be this user's, for this path, and fresh. */
export function checkVncTicket(sim: Sim, ticket: string, user: string, path: string): void {
  const m = /^(PVEVNC:([0-9A-F]{8}))::(\S+)$/.exec(ticket);
  const refuse = () => new PveError(500, 'permission denied - invalid PVEVNC ticket\n');
  if (!m) throw refuse();
  const want = Buffer.from(sign(stateOf(sim).key, m[1]!, user, path));
  const got = Buffer.from(m[3]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw refuse();
  const age = Math.floor(Date.now() / 1000) - parseInt(m[2]!, 16);
  if (age < TICKET_MIN_AGE || age > TICKET_MAX_AGE) throw refuse();
}

/** A VNC password as PVE generates it: printable ASCII ('!' .. '~'), 8 characters (VNC uses 8). */
function generatePassword(): string {
  return [...randomBytes(8)].map((b) => String.fromCharCode(0x21 + (b % 94))).join('');
}

function vncproxy(kind: GuestKind): Handler {
  return (ctx: Ctx) => {
    const g = guestOf(ctx, kind);
    const { sim, user } = ctx;
    const st = stateOf(sim);
    const path = `/vms/${g.vmid}`;
    const ticket = vncTicket(sim, user, path);
    // PVE 9 makes a password for QEMU's VNC (the ticket's first 8 bytes,
    // all VNC keeps, are nearly constant); PVE 8 does when asked.
    const generated =
      kind === 'qemu' && (sim.schema.version === 'pve9' || flag(ctx.params['generate-password']));
    const password = generated ? generatePassword() : ticket;
    let port = VNC_PORT_MIN;
    while (st.listeners.has(`${g.node}:${port}`)) {
      if (++port > VNC_PORT_MAX) throw new PveError(500, 'unable to find free vnc port\n');
    }
    const key = `${g.node}:${port}`;
    const task = sim.tasks.begin(g.node, 'vncproxy', String(g.vmid), user, () => {
      clearTimeout(listener.timer);
      st.listeners.delete(key);
    });
    const listener: Listener = {
      guest: g,
      password,
      task,
      timer: setTimeout(() => {
        st.listeners.delete(key);
        task.end('connection timed out');
      }, VNCPROXY_WAIT_MS),
    };
    listener.timer.unref();
    st.listeners.set(key, listener);
    const res: Record<string, unknown> = {
      user,
      ticket,
      port,
      upid: task.upid,
      cert: sim.rootCa ?? '',
    };
    if (generated) res.password = password;
    return res;
  };
}

function vncwebsocket(kind: GuestKind): Handler {
  return (ctx: Ctx) => {
    const vmid = Number(ctx.params.vmid);
    checkVncTicket(ctx.sim, String(ctx.params.vncticket), ctx.user, `/vms/${vmid}`);
    guestOf(ctx, kind); // the guest's config must exist on that node
    return { port: String(ctx.params.port) };
  };
}

export function consoleRoutes(kind: GuestKind): Record<string, Handler> {
  const base = `/nodes/{node}/${kind}/{vmid}`;
  return {
    [`POST ${base}/vncproxy`]: vncproxy(kind),
    [`GET ${base}/vncwebsocket`]: vncwebsocket(kind),
  };
}

/**
 * pveproxy connecting to `localhost:<port>` on the guest's node: the waiting
 * worker takes the connection (and stops listening), or undefined when
 * nothing listens there (pveproxy then drops the client's connection).
 * The worker then runs as `qm vncproxy` does: password set, display joined.
 */
export function acceptVncConnection(
  sim: Sim,
  node: string,
  port: number,
): ((client: Duplex) => void) | undefined {
  const st = stateOf(sim);
  const key = `${node}:${port}`;
  const l = st.listeners.get(key);
  if (!l || !l.task.running()) return undefined;
  st.listeners.delete(key);
  clearTimeout(l.timer);
  return (client) => void runProxy(sim, l, client);
}

async function runProxy(sim: Sim, l: Listener, client: Duplex): Promise<void> {
  const { guest: g, task } = l;
  const what = g.kind === 'qemu' ? 'VM' : 'CT';
  try {
    const display = g.status === 'running' ? await sim.displays?.(g.vmid) : undefined;
    if (!display) {
      task.log(
        g.status === 'running'
          ? `${what} ${g.vmid} has no display`
          : `${what} ${g.vmid} not running`,
      );
      throw new Error('Failed to run vncproxy.');
    }
    await display.setPassword(l.password, PASSWORD_EXPIRY_S);
    const vnc = await display.connect();
    await new Promise<void>((resolve) => {
      const done = () => {
        vnc.destroy();
        client.destroy();
        resolve();
      };
      vnc.on('error', done).on('close', done);
      client.on('error', done).on('close', done);
      client.pipe(vnc);
      vnc.pipe(client);
    });
    task.end('OK');
  } catch (err) {
    client.destroy();
    task.end((err as Error).message.replace(/\n$/, ''));
  }
}
