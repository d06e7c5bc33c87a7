// A real guest display for the simulator's consoles: a tiny diskless QEMU
// (TCG, 32 MiB, the SeaBIOS screen) whose VNC server listens on a Unix
// socket with password login on, as qemu-server starts a guest
// (`-vnc unix:/var/run/qemu-server/<vmid>.vnc,password=on`), and whose QMP
// socket takes the password the way `qm vncproxy` gives it. Until a password
// is set, QEMU refuses every VNC login. Test infrastructure only.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { GuestDisplay } from './context';

export const QEMU_BINARY = process.env['PVE_SIM_QEMU'] ?? 'qemu-system-x86_64';

export interface TinyQemu extends GuestDisplay {
  pid: number;
  vncSocket: string;
  qmpSocket: string;
  stop(): Promise<void>;
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** One QMP session: greeting, capabilities, then each command in turn; closed after. */
export async function qmp(path: string, commands: { execute: string; arguments?: object }[]) {
  const sock = await connectUnix(path);
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    wake?.();
  });
  const next = async (): Promise<Record<string, unknown>> => {
    const end = Date.now() + 5000;
    for (;;) {
      // Events (e.g. VNC_CONNECTED) come between answers: skipped.
      const i = lines.findIndex((l) => !('event' in l));
      if (i >= 0) return lines.splice(i, 1)[0]!;
      if (Date.now() > end) throw new Error(`QMP at ${path} did not answer`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  try {
    await next(); // greeting
    const answers: unknown[] = [];
    for (const c of [{ execute: 'qmp_capabilities' }, ...commands]) {
      sock.write(`${JSON.stringify(c)}\n`);
      const a = await next();
      if ('error' in a) throw new Error(`QMP ${c.execute}: ${JSON.stringify(a.error)}`);
      answers.push(a.return);
    }
    return answers.slice(1);
  } finally {
    sock.destroy();
  }
}

async function waitFor(what: string, ok: () => boolean, child: ChildProcess): Promise<void> {
  const end = Date.now() + 15_000;
  while (!ok()) {
    if (child.exitCode !== null) throw new Error(`QEMU exited (${child.exitCode}) before ${what}`);
    if (Date.now() > end) throw new Error(`QEMU did not make ${what} in 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts the guest with its sockets in `dir` (`<vmid>.vnc`, `<vmid>.qmp`,
 * `<vmid>.pid`, as /var/run/qemu-server holds them). The pid file lets a
 * lab's teardown stop it even when its starter died.
 */
export async function startTinyQemu(dir: string, vmid: number): Promise<TinyQemu> {
  mkdirSync(dir, { recursive: true });
  const vncSocket = join(dir, `${vmid}.vnc`);
  const qmpSocket = join(dir, `${vmid}.qmp`);
  const child = spawn(
    QEMU_BINARY,
    [
      '-name',
      `pve-sim-${vmid}`,
      '-machine',
      'pc,accel=tcg',
      '-m',
      '32',
      '-nodefaults',
      '-no-user-config',
      '-vga',
      'std',
      '-display',
      'none',
      '-vnc',
      `unix:${vncSocket},password=on`,
      '-qmp',
      `unix:${qmpSocket},server=on,wait=off`,
      '-pidfile',
      join(dir, `${vmid}.pid`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await waitFor('its sockets', () => existsSync(vncSocket) && existsSync(qmpSocket), child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}: ${stderr.trim()}`);
  }
  return {
    pid: child.pid!,
    vncSocket,
    qmpSocket,
    async setPassword(password, expireSeconds) {
      await qmp(qmpSocket, [
        { execute: 'set_password', arguments: { protocol: 'vnc', password } },
        { execute: 'expire_password', arguments: { protocol: 'vnc', time: `+${expireSeconds}` } },
      ]);
    },
    connect: (): Promise<Duplex> => connectUnix(vncSocket),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
