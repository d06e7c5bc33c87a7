// What happens when nodes misbehave: a node dropping mid-command, a changed
// host key, and saved hosts coming back on the next start.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import {
  addLabNode,
  labCommand,
  labNode,
  readLab,
  taskFinished,
  testBackendOptions,
  waitFor,
} from '../lab';

let home: string;
let backend: Backend;
let virshBefore: Set<string>;

/** PIDs of virsh processes on this machine (the lab's nodes share its PID space). */
function virshPids(): Set<string> {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return new Set(
    out
      .split('\n')
      .filter((l) => / virsh -c /.test(` ${l.trim().split(/\s+/).slice(1).join(' ')}`))
      .map((l) => l.trim().split(/\s+/)[0]!),
  );
}

/**
 * The virsh processes on this lab's nodes only: another lab on the same
 * machine (a second LAB_BASE) runs its own, which are none of this test's.
 */
function labVirshPids(): Set<string> {
  return new Set(readLab().nodes.flatMap((n) => virshPidsIn(n.name)));
}

/** PIDs of virsh processes inside one lab node's mount namespace. */
function virshPidsIn(node: string): string[] {
  const holder = readFileSync(join(labNode(node).dir, 'holder.pid'), 'utf8').trim();
  const ns = readlinkSync(`/proc/${holder}/ns/mnt`);
  return [...virshPids()].filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/mnt`) === ns;
    } catch {
      return false; // ended meanwhile
    }
  });
}

/**
 * Cuts every SSH connection to a node the way a network drop or a crashed
 * sshd child would: each connection's own sshd dies at once (SIGKILL), the
 * listener stays, and what ran in those sessions is left to fend for itself.
 */
function dropConnections(node: string): void {
  const sshd = readFileSync(join(labNode(node).dir, 'run', 'sshd.pid'), 'utf8').trim();
  for (const pid of execFileSync('ps', ['-o', 'pid=', '--ppid', sshd], { encoding: 'utf8' })
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean))
    process.kill(Number(pid), 'SIGKILL');
}

const DROPS = 10;

const options = () => testBackendOptions(home);
const add = (name: string) => addLabNode(backend, name);

const stateOf = (hostId: string) => backend.store.get('hosts', hostId)?.state;

beforeAll(async () => {
  virshBefore = labVirshPids();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-res-'));
  backend = await Backend.start(options());
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('resilience', () => {
  it('a node killed mid-command fails the task cleanly, then reconnects', async () => {
    const hostId = await add('node1');
    const taskId = backend.runCommand(hostId, 'Wait on node1', ['sleep', '30']);
    await new Promise((r) => setTimeout(r, 500));
    labCommand(['kill-sshd', 'node1']);
    const task = await waitFor(
      () => {
        const t = backend.store.get('tasks', taskId);
        return t && t.state !== 'running' ? t : undefined;
      },
      'task to fail',
      20_000,
    );
    expect(task.state).toBe('failed');
    expect(task.error).toMatch(/node1/);
    expect(task.error).toMatch(/sleep 30/);
    expect(task.log[0]).toMatchObject({ node: 'node1', command: 'sleep 30', exitCode: null });
    await waitFor(() => stateOf(hostId) === 'unreachable', 'node1 unreachable', 10_000);
    expect(backend.store.get('hosts', hostId)!.retryAt).toBeGreaterThan(0);
    labCommand(['start-sshd', 'node1']);
    await waitFor(() => stateOf(hostId) === 'connected', 'node1 reconnected', 40_000);
    expect(
      backend.store.all('vms').some((v) => v.hostId === hostId && v.name === 'lab-tiny-1'),
    ).toBe(true);
  });

  it('saved hosts reconnect on the next start', async () => {
    backend.close();
    backend = await Backend.start(options());
    const host = await waitFor(
      () => backend.store.all('hosts').find((h) => h.name === 'node1' && h.state === 'connected'),
      'node1 connected after restart',
      20_000,
    );
    expect(backend.store.all('vms').filter((v) => v.hostId === host.id).length).toBeGreaterThan(0);
  });

  it('refuses a node whose host key changed, and says so', async () => {
    const hostId = await add('node2');
    expect(stateOf(hostId)).toBe('connected');
    labCommand(['restart-sshd', 'node2', '--new-key']);
    await expect(backend.call('reconnectHost', { hostId })).rejects.toMatchObject({
      code: 'host-key-changed',
    });
    const host = backend.store.get('hosts', hostId)!;
    expect(host.state).toBe('host-key-changed');
    expect(host.message).toMatch(/does not match the trusted one/);
    expect(host.retryAt).toBeUndefined();
    // The probe offered to a user shows the new key as changed, with the old one.
    const n = readLab().nodes.find((x) => x.name === 'node2')!;
    const probe = await backend.call('probeHost', { address: n.host, port: n.port });
    expect(probe).toMatchObject({ status: 'changed', fingerprint: n.hostKeyFingerprint });
  });

  it(`survives ${DROPS} connection drops mid-task, leaving no virsh of a dropped session on the node`, async () => {
    const hostId =
      backend.store.all('hosts').find((h) => h.name === 'node1')?.id ?? (await add('node1'));
    await waitFor(() => stateOf(hostId) === 'connected', 'node1 connected', 40_000);
    await new Promise((r) => setTimeout(r, 1000));
    // One live session's own: the open virsh and the event streams.
    const steady = virshPidsIn('node1').length;
    expect(steady).toBeGreaterThan(0);
    for (let i = 1; i <= DROPS; i++) {
      const taskId = backend.runCommand(hostId, `Wait on node1 (${i})`, ['sleep', '3']);
      await new Promise((r) => setTimeout(r, 300));
      dropConnections('node1');
      const task = await taskFinished(backend, taskId, 20_000);
      expect(task.state).toBe('failed');
      expect(task.error).toMatch(/node1/);
      expect(task.error).toMatch(/sleep 3/);
      await waitFor(() => stateOf(hostId) === 'connected', `node1 back after drop ${i}`, 40_000);
    }
    // Every virsh a dropped session started ended on the node by itself
    // (its stdin closed); only the live session's remain.
    await waitFor(
      () => virshPidsIn('node1').length === steady,
      `node1 to run only the live session's ${steady} virsh`,
      20_000,
    );
    expect(
      backend.store.all('vms').some((v) => v.hostId === hostId && v.name === 'lab-tiny-1'),
    ).toBe(true);
  });

  it('leaves no virsh running on the nodes once it closes', async () => {
    expect(labVirshPids().size).toBeGreaterThan(virshBefore.size);
    backend.close();
    const leftovers = () => [...labVirshPids()].filter((p) => !virshBefore.has(p));
    try {
      await waitFor(
        () => leftovers().length === 0,
        'every virsh started for Clusterdeck to end',
        20_000,
      );
    } catch (err) {
      const ps = execFileSync(
        'ps',
        ['-o', 'pid,ppid,pgid,lstart,args', '-p', leftovers().join(',')],
        {
          encoding: 'utf8',
        },
      );
      throw new Error(`${(err as Error).message}\nstill running:\n${ps}`);
    }
  });
});
