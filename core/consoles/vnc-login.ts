// VNC password login done by the main process (RFB 6.1–6.3, 7.2.2), so the
// password libvirt holds in the VM's XML never reaches the page: the bridge
// logs in to the display, then offers the page a display that needs none.
import { DES } from 'des.js';
import type { Duplex } from 'node:stream';

const RFB_38 = 'RFB 003.008\n';
const SECURITY_NONE = 1;
const SECURITY_VNC = 2;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The answer to a VNC challenge: DES with the password as key, each key byte's bits mirrored. */
export function vncAuthResponse(challenge: Buffer, password: string): Buffer {
  const key = Buffer.alloc(8);
  // Only the first 8 bytes count: the protocol's limit, as every VNC server has it.
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  const mirrored = [...key].map((b) => {
    let r = 0;
    for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
    return r;
  });
  const des = DES.create({ type: 'encrypt', key: mirrored, padding: false });
  return Buffer.from([...des.update([...challenge]), ...des.final()]);
}

/** Reads exactly n bytes from a paused stream, leaving the rest for later readers. */
function readExactly(stream: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('readable', attempt);
      stream.off('end', ended);
      stream.off('close', ended);
    };
    const attempt = (): boolean => {
      const chunk = stream.read(n) as Buffer | null;
      if (!chunk) return false;
      cleanup();
      if (chunk.length < n) reject(new Error('the connection closed during the VNC handshake'));
      else resolve(chunk);
      return true;
    };
    const ended = () => {
      cleanup();
      reject(new Error('the connection closed during the VNC handshake'));
    };
    if (attempt()) return;
    stream.on('readable', attempt);
    stream.once('end', ended);
    stream.once('close', ended);
  });
}

async function readReason(stream: Duplex): Promise<string> {
  const len = (await readExactly(stream, 4)).readUInt32BE(0);
  return len > 0 ? (await readExactly(stream, Math.min(len, 4096))).toString('utf8') : '';
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer the VNC handshake in time`)),
      HANDSHAKE_TIMEOUT_MS,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Logs in to a VNC server with a password; resolves at ClientInit, rejects with the server's reason. */
export function loginToDisplay(display: Duplex, password: string): Promise<void> {
  return withTimeout(
    (async () => {
      const version = (await readExactly(display, 12)).toString('latin1');
      const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(version);
      if (!m) throw new Error('the display does not speak VNC (RFB)');
      const minor = Number(m[1]) > 3 ? 8 : Number(m[2]);
      let type: number;
      if (minor >= 7) {
        display.write(minor >= 8 ? RFB_38 : 'RFB 003.007\n');
        const count = (await readExactly(display, 1))[0]!;
        if (count === 0) throw new Error(await readReason(display));
        const offered = [...(await readExactly(display, count))];
        type = offered.includes(SECURITY_VNC)
          ? SECURITY_VNC
          : offered.includes(SECURITY_NONE)
            ? SECURITY_NONE
            : -1;
        if (type < 0) {
          throw new Error(
            `the display offers no login Clusterdeck supports (${offered.join(', ')})`,
          );
        }
        display.write(Buffer.from([type]));
      } else {
        display.write('RFB 003.003\n');
        type = (await readExactly(display, 4)).readUInt32BE(0);
        if (type === 0) throw new Error(await readReason(display));
      }
      if (type === SECURITY_VNC) {
        display.write(vncAuthResponse(await readExactly(display, 16), password));
      }
      // 3.7 sends no result for "no login"; 3.3 and 3.8 do after a password.
      if (type === SECURITY_VNC || minor >= 8) {
        const result = (await readExactly(display, 4)).readUInt32BE(0);
        if (result !== 0) {
          const reason = minor >= 8 ? await readReason(display) : '';
          throw new Error(`the display refused the VNC password${reason ? `: ${reason}` : ''}`);
        }
      }
    })(),
    'the display',
  );
}

/**
 * Plays the server's side of the handshake to the page, offering only "no
 * login" (the bridge already logged in), or refusing with a reason the
 * page shows to the user.
 */
export function greetPage(page: Duplex, refusal?: string): Promise<void> {
  return withTimeout(
    (async () => {
      page.write(RFB_38);
      await readExactly(page, 12);
      if (refusal) {
        const reason = Buffer.from(refusal, 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(reason.length);
        page.write(Buffer.concat([Buffer.from([0]), len, reason]));
        return;
      }
      page.write(Buffer.from([1, SECURITY_NONE]));
      await readExactly(page, 1);
      page.write(Buffer.alloc(4)); // SecurityResult: OK
    })(),
    'the console page',
  );
}

/**
 * The bridge's handshake for a display with a password: log in to it, then
 * greet the page as a display that needs none. `what` ("web1 on node1")
 * names it in a refusal, which the page is told before the tunnel ends.
 * `password` is a function where each connection gets its own (a Proxmox
 * ticket), asked once the display is connected.
 */
export function passwordLogin(password: string | (() => string | undefined), what: string) {
  return async (page: Duplex, screen: Duplex): Promise<void> => {
    try {
      const secret = typeof password === 'function' ? password() : password;
      if (secret === undefined) throw new Error('the display gave no VNC password');
      await loginToDisplay(screen, secret);
    } catch (err) {
      const why = `${what}: ${(err as Error).message}`;
      await greetPage(page, why).catch(() => undefined);
      throw new Error(why);
    }
    await greetPage(page);
  };
}
