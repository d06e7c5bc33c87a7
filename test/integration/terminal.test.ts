// Terminals through the console bridge against the lab: a login shell on a
// node and the serial console of the tiny Linux guest (`virsh console` on a
// pty), with resize, and nothing left running on the node after close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../../core/backend';
import { addLabNode, labExec, labNode, resetLabGuests, testBackendOptions, waitFor } from '../lab';

let home: string;
let backend: Backend;

const vmId = (name: string) => backend.store.all('vms').find((v) => v.name === name)!.id;

/** A WebSocket client that keeps everything the terminal printed. */
class TerminalClient {
  output = '';
  closed = false;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => (this.output += data.toString('utf8')));
    ws.on('close', () => (this.closed = true));
  }

  static async connect(url: string): Promise<TerminalClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new TerminalClient(ws);
  }

  type(text: string): void {
    this.ws.send(Buffer.from(text, 'utf8'));
  }

  /** Waits for a pattern in what the terminal printed after `from`. */
  async expect(pattern: RegExp, from = 0, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return waitFor(
      () => pattern.exec(this.output.slice(from)),
      `terminal to print ${pattern}`,
      timeoutMs,
    );
  }

  close(): void {
    this.ws.close();
  }
}

async function openTerminal(
  params: { kind: 'host'; hostId: string } | { kind: 'serial'; vmId: string },
  size = { cols: 80, rows: 24 },
) {
  return (await backend.call('openTerminal', { ...params, ...size })) as {
    consoleId: string;
    url: string;
    command: string;
  };
}

/** `virsh console` processes on a node, by their command line. */
function virshConsoles(node: string): string[] {
  return labExec(node, ['ps', '-eo', 'args='])
    .split('\n')
    .filter((l) => l.startsWith('virsh -c qemu:///system console'));
}

let node1: string;

beforeAll(async () => {
  resetLabGuests();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-terminal-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('host terminal', () => {
  it('gives a login shell on the node, on a pty that follows resizes', async () => {
    const t = await openTerminal({ kind: 'host', hostId: node1 });
    expect(t.command).toBe(`ssh root@${labNode('node1').host}`);
    const term = await TerminalClient.connect(t.url);
    term.type('echo "host=$(hostname) size=$(stty size) term=$TERM"\r');
    await term.expect(/host=node1 size=24 80 term=xterm-256color/);

    await backend.call('resizeTerminal', { consoleId: t.consoleId, cols: 132, rows: 43 });
    const mark = term.output.length;
    term.type('echo "size=$(stty size)"\r');
    await term.expect(/size=43 132/, mark);

    // `exit` ends the shell: the tunnel closes and its listener goes.
    term.type('exit\r');
    await waitFor(() => term.closed, 'the terminal to close after exit');
    await waitFor(() => backend.openConsoles === 0, 'the tunnel to be released');
  });

  it('uses the token once', async () => {
    const t = await openTerminal({ kind: 'host', hostId: node1 });
    const term = await TerminalClient.connect(t.url);
    await expect(TerminalClient.connect(t.url)).rejects.toThrow(/403|ECONNREFUSED/);
    term.close();
    await waitFor(() => backend.openConsoles === 0, 'the tunnel to be released');
  });
});

describe('serial console', () => {
  it('types into the tiny Linux guest’s serial shell through virsh console', async () => {
    const t = await openTerminal({ kind: 'serial', vmId: vmId('lab-linux') });
    expect(t.command).toMatch(/^virsh -c qemu:\/\/\/system console --force [0-9a-f-]{36}$/);
    const term = await TerminalClient.connect(t.url);
    await term.expect(/Connected to domain/);
    // The guest may still be booting: ask again until its shell answers.
    const end = Date.now() + 90_000;
    for (;;) {
      term.type('echo serial-$((2*21))\r');
      try {
        await term.expect(/serial-42/, 0, 3000);
        break;
      } catch (err) {
        if (Date.now() > end) throw err;
      }
    }
    expect(virshConsoles('node1')).toHaveLength(1);
    term.close();
    await waitFor(() => virshConsoles('node1').length === 0, 'virsh console to end on node1');
    await waitFor(() => backend.openConsoles === 0, 'the tunnel to be released');
  });

  it('says why a guest has no serial console to attach to', async () => {
    await expect(openTerminal({ kind: 'serial', vmId: vmId('lab-tiny-2') })).rejects.toMatchObject({
      code: 'invalid-state',
      message: expect.stringMatching(/lab-tiny-2 is not running on node1/),
    });
    await expect(openTerminal({ kind: 'serial', vmId: vmId('lab-tiny-1') })).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(/no serial console/),
    });
  });
});
