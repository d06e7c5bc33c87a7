// The backend against real lab nodes: trust, connect, inventory, lifecycle,
// events pushed from the node, refused keys and hostile names.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Task, Vm } from '../../shared/model';
import {
  addLabNode,
  labExec,
  readLab,
  resetLabGuests,
  testBackendOptions,
  virshOn,
  waitFor,
  type Lab,
} from '../lab';

let lab: Lab;
let backend: Backend;
let home: string;

function vmNamed(name: string): Vm | undefined {
  return backend.store.all('vms').find((v) => v.name === name);
}

async function finished(taskId: string): Promise<Task> {
  return waitFor(
    () => {
      const t = backend.store.get('tasks', taskId);
      return t && t.state !== 'running' ? t : undefined;
    },
    `task ${taskId}`,
    30_000,
  );
}

beforeAll(async () => {
  lab = readLab();
  resetLabGuests();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-it-'));
  backend = await Backend.start(testBackendOptions(home));
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('connecting to a lab node', () => {
  it('shows the same SHA256 fingerprint as ssh-keygen -lf, before any login', async () => {
    const n = lab.nodes[0]!;
    const probe = (await backend.call('probeHost', { address: n.host, port: n.port })) as Record<
      string,
      unknown
    >;
    expect(probe).toMatchObject({
      status: 'new',
      keyType: 'ssh-ed25519',
      fingerprint: n.hostKeyFingerprint,
    });
  });

  it('refuses a fingerprint the user did not see', async () => {
    const n = lab.nodes[0]!;
    await expect(
      backend.call('addHost', {
        address: n.host,
        port: n.port,
        user: 'root',
        auth: 'key',
        keyPath: lab.keyPath,
        fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
    ).rejects.toMatchObject({ code: 'host-key-mismatch' });
  });

  it('refuses a key the node does not authorise, naming the node', async () => {
    const n = lab.nodes[1]!;
    const wrongKey = join(home, 'wrong_key');
    labExec('node1', ['true']); // the lab is alive
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    await expect(
      backend.call('addHost', {
        name: 'wrong-key-node',
        address: n.host,
        port: n.port,
        user: 'root',
        auth: 'key',
        keyPath: wrongKey,
        fingerprint: n.hostKeyFingerprint,
      }),
    ).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringContaining('wrong-key-node'),
    });
    expect(backend.store.all('hosts')).toHaveLength(0);
  });

  it('refuses to remember a password where it cannot be encrypted', async () => {
    const n = lab.nodes[0]!;
    await expect(
      backend.call('addHost', {
        address: n.host,
        port: n.port,
        user: 'root',
        auth: 'password',
        password: 'secret',
        remember: true,
        fingerprint: n.hostKeyFingerprint,
      }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/plain text/),
    });
  });

  it('connects with a key file and loads node facts and inventory', async () => {
    const hostId = await addLabNode(backend, 'node1');
    const host = backend.store.get('hosts', hostId)!;
    expect(host.state).toBe('connected');
    expect(host.info).toMatchObject({ hostname: 'node1' });
    // A libvirt node (Ganeti's packages are on this machine too): libvirt's
    // capabilities, none of a cluster that places VMs itself.
    expect(host.stack).toBe('libvirt');
    expect(host.capabilities).toEqual(expect.arrayContaining(['vm-create', 'migration']));
    for (const c of ['instance-create', 'instance-edit', 'cluster-moves', 'cluster-health'])
      expect(host.capabilities).not.toContain(c);
    expect(host.info!.software).toContainEqual({ name: 'libvirt', version: '9.0.0' });
    expect(host.info!.software.find((s) => s.name === 'QEMU')?.version).toMatch(/^\d+\.\d+/);
    expect(host.info!.cpus).toBeGreaterThan(0);
    expect(host.info!.virtualization).toBe(lab.kvm ? 'kvm' : 'emulated');
    expect(vmNamed('lab-tiny-1')).toMatchObject({ state: 'running', memoryKiB: 65536 });
    expect(vmNamed('lab-tiny-2')).toMatchObject({ state: 'shutoff' });
    expect(vmNamed('lab-tiny-1')!.graphics[0]).toMatchObject({ type: 'vnc', listen: '127.0.0.1' });
  });
});

describe('VM lifecycle on node1', () => {
  it('starts a VM as a task whose log holds the exact command', async () => {
    const vm = vmNamed('lab-tiny-2')!;
    const { taskId } = (await backend.call('vmAction', { vmId: vm.id, action: 'start' })) as {
      taskId: string;
    };
    const task = await finished(taskId);
    expect(task.state).toBe('succeeded');
    expect(task.log).toHaveLength(1);
    expect(task.log[0]).toMatchObject({
      node: 'node1',
      command: `virsh -c qemu:///system start ${vm.uuid}`,
      exitCode: 0,
    });
    await waitFor(() => vmNamed('lab-tiny-2')?.state === 'running', 'lab-tiny-2 running');
    expect(virshOn('node1', ['domstate', 'lab-tiny-2']).trim()).toBe('running');
  });

  it('pushes state changes made by virsh on the node within a second', async () => {
    virshOn('node1', ['suspend', 'lab-tiny-2']);
    await waitFor(() => vmNamed('lab-tiny-2')?.state === 'paused', 'paused pushed', 1000);
    virshOn('node1', ['destroy', 'lab-tiny-2']);
    await waitFor(() => vmNamed('lab-tiny-2')?.state === 'shutoff', 'shut off pushed', 1000);
  });

  it('reports a failing action as a failed task naming node, command and reason', async () => {
    const vm = vmNamed('lab-tiny-2')!;
    const { taskId } = (await backend.call('vmAction', { vmId: vm.id, action: 'resume' })) as {
      taskId: string;
    };
    const task = await finished(taskId);
    expect(task.state).toBe('failed');
    expect(task.error).toContain('node1');
    expect(task.error).toContain(`virsh -c qemu:///system resume ${vm.uuid}`);
    expect(task.log[0]!.exitCode).toBe(1);
    expect(task.log[0]!.stderr).toMatch(/not running/i);
  });
});

describe('hostile VM names', () => {
  const names = [
    `it's "quoted"`,
    'space and ; semicolon',
    '$(touch clusterdeck-pwned)',
    '`touch clusterdeck-pwned2`',
    'ünïcødé ✓ ä',
  ];

  it('lists, starts and stops them without any injection', async () => {
    const xmlEscape = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;');
    const dir = readLab().nodes[0]!.dir;
    names.forEach((name, i) => {
      const file = join(dir, `hostile-${i}.xml`);
      writeFileSync(
        file,
        `<domain type='qemu'><name>${xmlEscape(name)}</name><memory unit='MiB'>32</memory>` +
          `<os><type arch='x86_64'>hvm</type></os><devices><graphics type='vnc' port='-1' listen='127.0.0.1'/></devices></domain>`,
      );
      virshOn('node1', ['define', file]);
    });
    try {
      for (const name of names) {
        const vm = await waitFor(() => vmNamed(name), `VM ${name} listed`);
        const { taskId } = (await backend.call('vmAction', { vmId: vm.id, action: 'start' })) as {
          taskId: string;
        };
        expect((await finished(taskId)).state).toBe('succeeded');
        await waitFor(() => vmNamed(name)?.state === 'running', `${name} running`);
        const stop = (await backend.call('vmAction', { vmId: vm.id, action: 'destroy' })) as {
          taskId: string;
        };
        expect((await finished(stop.taskId)).state).toBe('succeeded');
      }
      // (libvirt refuses '/' in names; a relative touch would land in the
      // remote user's home, or in our own working folder if run locally.)
      for (const dir of ['/root', process.cwd()]) {
        expect(existsSync(join(dir, 'clusterdeck-pwned'))).toBe(false);
        expect(existsSync(join(dir, 'clusterdeck-pwned2'))).toBe(false);
      }
    } finally {
      for (const name of names) {
        try {
          virshOn('node1', ['destroy', name]);
        } catch {
          /* already off */
        }
        virshOn('node1', ['undefine', name]);
      }
    }
    await waitFor(() => names.every((n) => !vmNamed(n)), 'hostile VMs gone');
  });
});
