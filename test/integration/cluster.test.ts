// New Cluster against three lab nodes: the preflight checklist, the plan, and
// trust that really works on the nodes themselves (a libvirt connection over
// SSH from each node to the others), made twice without adding anything.
// One file over 400 lines on purpose: its last test follows one cluster
// through its life (made, made again, a guest on its CPU moved, kept across a
// restart, a node leaving and coming back, a Remove undone, the cluster
// removed), each step starting from what the one before left on the nodes;
// split, each file would form the cluster again to reach the same state.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Finding } from '../../shared/cluster';
import { formatBytes } from '../../shared/units';
import {
  addLabNode,
  LAB_DIR,
  forgetNodeTrust,
  labExec,
  labNode,
  readLab,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';

const NODES = ['node1', 'node2', 'node3'];
const addr = (name: string) => labNode(name).host;
const haveThree = readLab().nodes.length >= 3;
let home: string;
let backend: Backend;
let ids: string[];

/** Each node's keys and trust files as they are, for a before/after comparison. */
const snapshot = () =>
  NODES.map((n) =>
    labExec(n, [
      'sh',
      '-c',
      'cd "$HOME/.ssh" && for f in clusterdeck/id_ed25519 clusterdeck/id_ed25519.pub clusterdeck/known_hosts config authorized_keys known_hosts; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done; true',
    ]),
  );

/** The pool the cluster run defines, gone from every node (also after a failed run). */
function dropSharedPool(): void {
  for (const n of NODES)
    labExec(n, [
      'sh',
      '-c',
      'virsh pool-destroy cl-shared >/dev/null 2>&1; virsh pool-undefine cl-shared >/dev/null 2>&1; true',
    ]);
  rmSync(join(LAB_DIR, 'cl-shared'), { recursive: true, force: true });
}

describe.runIf(haveThree)('New Cluster', () => {
  beforeAll(async () => {
    forgetNodeTrust();
    dropSharedPool();
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-cluster-'));
    backend = await Backend.start(testBackendOptions(home));
    ids = [];
    for (const n of NODES) ids.push(await addLabNode(backend, n));
    await waitFor(
      () => ids.every((id) => backend.store.get('hosts', id)?.state === 'connected'),
      'three nodes connected',
    );
  });

  afterAll(() => {
    backend?.close();
    forgetNodeTrust();
    rmSync(home, { recursive: true, force: true });
  });

  it('checks the nodes before it changes anything, and names what differs', async () => {
    const file = join(readLab().nodes[0]!.dir, 'cd-only1.xml');
    writeFileSync(file, `<network><name>cd-only1</name><bridge name='cdonly1'/></network>`);
    virshOn('node1', ['net-define', file]);
    try {
      await waitFor(
        () => backend.store.all('networks').some((n) => n.name === 'cd-only1'),
        'cd-only1 listed',
      );
      const { findings } = (await backend.call('clusterPreflight', { hostIds: ids })) as {
        findings: Finding[];
      };
      const by = (check: string) => findings.find((f) => f.check === check);
      expect(findings.filter((f) => f.level === 'problem')).toEqual([]);
      expect(by('Nodes connected')?.level).toBe('ok');
      expect(by('SSH between nodes')?.level).toBe('ok');
      expect(by('Clocks')?.level).toBe('ok');
      // libvirt's own answer from all three nodes' domcapabilities.
      expect(by('CPU compatibility')).toMatchObject({
        level: 'ok',
        detail: expect.stringMatching(/^Every node runs \S+ /),
      });
      expect(by('libvirt networks')).toMatchObject({
        level: 'warning',
        detail: expect.stringContaining('cd-only1 on node2'),
        fix: expect.any(String),
      });
      // The node's own total (/proc/meminfo), as its General and Performance tabs show it.
      const total = Number(labExec('node3', ['awk', '/^MemTotal:/ {print $2}', '/proc/meminfo']));
      expect(by('Free memory and disk')?.detail).toMatch(
        new RegExp(
          `node3: [\\d.]+ \\w+ of ${formatBytes(total * 1024).replace('.', '\\.')} memory available to new guests`,
        ),
      );
    } finally {
      virshOn('node1', ['net-undefine', 'cd-only1']);
    }
  });

  it('stops at the node that cannot take the trust, and undoes exactly what it did', async () => {
    // Each node's keys and trust files as they are; node3's cluster known_hosts
    // is a directory, so its trust step fails half-way (after its authorized_keys lines).
    labExec('node1', [
      'sh',
      '-c',
      'echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeep kept@admin" > "$HOME/.ssh/authorized_keys"',
    ]);
    labExec('node3', ['sh', '-c', 'mkdir -p "$HOME/.ssh/clusterdeck/known_hosts"']);
    try {
      const before = snapshot();
      const { taskId } = (await backend.call('createCluster', {
        name: 'lab-undo',
        hostIds: ids,
      })) as { taskId: string };
      const task = await taskFinished(backend, taskId, 90_000);
      expect(task.state).toBe('failed');
      expect(task.error).toMatch(
        /^node3: “Trust node1, node2 \(their keys and host keys\)” failed: .* Undo \(in Tasks\) takes back what it did\.$/,
      );
      expect(backend.store.all('clusters')).toEqual([]);
      // In reverse order: the trust lines each node took (node3's two keys before it
      // failed), then the keys made for them.
      expect(task.undo!.map((s) => `${s.node}: ${s.title}`)).toEqual([
        'node3: Remove the 2 trust lines added',
        expect.stringMatching(/^node2: Remove the \d+ trust lines added$/),
        expect.stringMatching(/^node1: Remove the \d+ trust lines added$/),
        'node3: Remove the SSH key made for it',
        'node2: Remove the SSH key made for it',
        'node1: Remove the SSH key made for it',
      ]);
      expect(snapshot()).not.toEqual(before);

      const undo = (await backend.call('undoTask', { taskId })) as { taskId: string };
      const undone = await taskFinished(backend, undo.taskId, 60_000);
      expect(undone.error).toBeUndefined();
      expect(undone.title).toBe('Undo: New cluster lab-undo');
      // Byte for byte as before: the administrator's own line stays.
      expect(snapshot()).toEqual(before);
      expect(backend.store.get('tasks', taskId)?.undo).toBeUndefined();
      await expect(backend.call('undoTask', { taskId })).rejects.toThrow(/nothing to undo/);
    } finally {
      labExec('node3', ['sh', '-c', 'rmdir "$HOME/.ssh/clusterdeck/known_hosts"']);
      forgetNodeTrust();
    }
  });

  it('gives every node a key and trust between every pair, and records the cluster', async () => {
    const spec = { name: 'lab-cluster', hostIds: ids };
    const plan = (await backend.call('planCluster', spec)) as {
      steps: { node: string; title: string; command: string; input?: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    // A key on each, trust on each, ssh settings on each, each node connects to
    // the two others, then the CPU.
    expect(plan.steps).toHaveLength(3 + 3 + 3 + 6 + 3 + 1);
    expect(plan.steps[3]!.input).toContain(`${addr('node2')} ssh-ed25519 `);
    expect(plan.steps[3]!.input).toContain(
      `A from="${addr('node2')}",restrict (node2's cluster key, made in the step before)\n`,
    );
    expect(plan.steps[14]!.command).toBe(
      `virsh -c 'qemu+ssh://root@clusterdeck-${addr('node2')}/system?no_tty=1' hostname`,
    );
    expect(plan.steps.at(-1)).toMatchObject({
      node: 'node1',
      command: 'virsh hypervisor-cpu-baseline --migratable /dev/stdin',
    });
    // The administrator's own lines, which every step must leave alone.
    const ADMIN_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeep kept@admin';
    const ADMIN_CONFIG = 'Host backup\n  HostName 192.0.2.99\n';
    labExec('node2', [
      'sh',
      '-c',
      `mkdir -p /root/.ssh && echo '${ADMIN_KEY}' > /root/.ssh/authorized_keys && printf '${ADMIN_CONFIG}' > /root/.ssh/config`,
    ]);
    const run = async (s: object = spec) => {
      const { taskId } = (await backend.call('createCluster', s)) as { taskId: string };
      return taskFinished(backend, taskId, 90_000);
    };
    // The first run also defines a pool on every node, at a folder they all see.
    const sharedPool = { type: 'dir', name: 'cl-shared', targetPath: join(LAB_DIR, 'cl-shared') };
    const withPool = (await backend.call('planCluster', { ...spec, sharedPool })) as {
      steps: { node: string; command: string }[];
    };
    expect(withPool.steps.slice(19).map((s) => `${s.node}: ${s.command}`)).toEqual(
      ['node1', 'node2', 'node3'].flatMap((n) =>
        [
          'pool-define --validate --file /dev/stdin',
          'pool-build cl-shared',
          'pool-start cl-shared',
          'pool-autostart cl-shared',
        ].map((c) => `${n}: virsh -c qemu:///system ${c}`),
      ),
    );
    const task = await run({ ...spec, sharedPool });
    expect(task.error).toBeUndefined();
    for (const id of ids)
      expect(
        backend.store.all('pools').find((p) => p.hostId === id && p.name === 'cl-shared')?.state,
      ).toBe('running');
    const cluster = backend.store.all('clusters').find((c) => c.name === 'lab-cluster')!;
    expect(cluster.hostIds).toEqual(ids);
    expect(cluster.cpu?.model).toMatch(/\S/);

    // On the nodes themselves: libvirt over SSH from node1 to node2, and node3 to node1.
    expect(
      labExec('node1', [
        'virsh',
        '-c',
        `qemu+ssh://root@clusterdeck-${addr('node2')}/system`,
        'hostname',
      ]).trim(),
    ).toBe('node2');
    expect(
      labExec('node3', [
        'virsh',
        '-c',
        `qemu+ssh://root@clusterdeck-${addr('node1')}/system`,
        'list',
        '--all',
      ]),
    ).toContain('Name');
    // Byte for byte: each peer's key from its own address only, restricted; the
    // host keys Clusterdeck verified; one alias per peer; the admin's lines kept.
    const key = (n: string) => labExec(n, ['cat', '/root/.ssh/clusterdeck/id_ed25519.pub']);
    for (const n of NODES)
      expect(key(n)).toMatch(
        new RegExp(`^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\\S{43} clusterdeck-cluster@${n}\\n$`),
      );
    const granted = (n: string) => `from="${addr(n)}",restrict ${key(n)}`;
    const authorized = () => labExec('node2', ['cat', '/root/.ssh/authorized_keys']);
    expect(authorized()).toBe(`${ADMIN_KEY}\n${granted('node1')}${granted('node3')}`);
    expect(labExec('node1', ['cat', '/root/.ssh/authorized_keys'])).toBe(
      granted('node2') + granted('node3'),
    );
    expect(labExec('node2', ['cat', '/root/.ssh/clusterdeck/known_hosts'])).toBe(
      `${labNode('node1').hostKeyLine}\n${labNode('node3').hostKeyLine}\n`,
    );
    const alias = (self: string, peer: string) =>
      [
        `Host clusterdeck-${addr(peer)}`,
        `  HostName ${addr(peer)}`,
        '  Port 22',
        `  BindAddress ${addr(self)}`,
        '  IdentityFile ~/.ssh/clusterdeck/id_ed25519',
        '  IdentitiesOnly yes',
        '  UserKnownHostsFile ~/.ssh/clusterdeck/known_hosts',
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n');
    const section = (self: string, peers: string[]) =>
      `# >>> clusterdeck cluster peers (managed by Clusterdeck)\n${peers.map((p) => alias(self, p)).join('')}# <<< clusterdeck\n`;
    expect(labExec('node2', ['cat', '/root/.ssh/config'])).toBe(
      ADMIN_CONFIG + section('node2', ['node1', 'node3']),
    );
    expect(labExec('node1', ['cat', '/root/.ssh/config'])).toBe(
      section('node1', ['node2', 'node3']),
    );

    // Again: nothing is added twice, and the same cluster is updated.
    const before = authorized();
    expect((await run()).error).toBeUndefined();
    expect(authorized()).toBe(before);
    expect(backend.store.all('clusters').filter((c) => c.name === 'lab-cluster')).toHaveLength(1);

    // A guest with the cluster's CPU: libvirt on node1 accepts it, node2's libvirt says
    // its CPU runs there, and it moves. It is not started: the lab's nodes are nested
    // KVM, which cannot set the arch-capabilities MSR such a CPU model asks for.
    const vmSpec = {
      name: 'cd-cluster-cpu',
      os: 'linux',
      kvm: true,
      cpu: 'cluster',
      vcpus: 1,
      memoryMiB: 64,
      disk: { kind: 'none' },
      boot: { kind: 'none' },
      network: { kind: 'none' },
      graphics: 'none',
      serial: false,
      start: false,
    } as const;
    if (readLab().kvm) {
      const made = (await backend.call('createVm', { hostId: ids[0]!, spec: vmSpec })) as {
        taskId: string;
      };
      expect((await taskFinished(backend, made.taskId, 60_000)).error).toBeUndefined();
      try {
        expect(virshOn('node1', ['dumpxml', 'cd-cluster-cpu'])).toContain(
          `<model fallback='forbid'>${cluster.cpu!.model}</model>`,
        );
        const vm = await waitFor(
          () => backend.store.all('vms').find((v) => v.name === 'cd-cluster-cpu'),
          'cd-cluster-cpu listed',
        );
        const mig = { vmIds: [vm.id], targetHostId: ids[1]! };
        const { findings } = (await backend.call('planMigration', mig)) as {
          findings: Finding[];
        };
        expect(findings.find((f) => f.check.endsWith('CPU'))).toMatchObject({
          level: 'ok',
          detail: `node2 runs cd-cluster-cpu’s CPU (${cluster.cpu!.model}).`,
        });
        const moved = (await backend.call('migrateVms', mig)) as { taskId: string };
        expect((await taskFinished(backend, moved.taskId, 120_000)).error).toBeUndefined();
        expect(virshOn('node2', ['domstate', 'cd-cluster-cpu']).trim()).toBe('shut off');
      } finally {
        for (const n of ['node1', 'node2'])
          labExec(n, ['sh', '-c', 'virsh undefine cd-cluster-cpu >/dev/null 2>&1; true']);
      }
    } else {
      console.log('[cluster] cluster CPU guest SKIPPED: the lab has no KVM.');
    }

    // Kept across a restart of the app.
    backend.close();
    backend = await Backend.start(testBackendOptions(home));
    expect(backend.store.get('clusters', cluster.id)?.name).toBe('lab-cluster');
    // A node leaves only when it hosts no VMs; it comes back with the same plan.
    await waitFor(
      () => backend.store.all('vms').some((v) => v.hostId === ids[0] && v.name === 'lab-tiny-1'),
      'node1 VMs listed again',
    );
    await waitFor(
      () => ids.every((id) => backend.store.get('hosts', id)?.state === 'connected'),
      'the nodes connected again',
    );
    await expect(
      backend.call('removeClusterNode', { clusterId: cluster.id, hostId: ids[0]! }),
    ).rejects.toThrow(/^node1 still hosts .*lab-tiny-1.*: migrate or remove them first\.$/);
    await expect(backend.call('removeHost', { hostId: ids[2]! })).rejects.toThrow(
      /^node3 is in the cluster lab-cluster: remove it from the cluster first/,
    );

    // node3 logs in to node1 with its cluster key, from its own address only.
    labExec('node3', ['cp', '/root/.ssh/clusterdeck/id_ed25519', '/root/kept-cluster-key']);
    const login = (from: string) =>
      labExec('node3', [
        'sh',
        '-c',
        `ssh -b ${from} -i /root/kept-cluster-key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@${addr('node1')} true 2>&1 && echo in || echo refused`,
      ]).trim();
    try {
      expect(login(addr('node3'))).toMatch(/in$/);
      expect(login('127.0.0.1')).toMatch(/Permission denied.*\nrefused$/s);

      const leave = { clusterId: cluster.id, hostId: ids[2]! };
      const leavePlan = (await backend.call('planRemoveClusterNode', leave)) as {
        steps: { node: string; title: string; command: string; input?: string }[];
        problems: string[];
      };
      expect(leavePlan.problems).toEqual([]);
      expect(leavePlan.steps.map((st) => `${st.node}: ${st.title}`)).toEqual([
        'node1: Take back the trust of node3',
        'node2: Take back the trust of node3',
        'node3: Take back the trust of node1, node2',
        'node1: Set how it reaches node2 (~/.ssh/config)',
        'node2: Set how it reaches node1 (~/.ssh/config)',
        'node3: Remove its cluster section from ~/.ssh/config',
        'node3: Delete its cluster SSH key',
      ]);
      expect(leavePlan.steps[0]!.input).toBe(
        `C clusterdeck-cluster@node3\nC clusterdeck@node3\nK ${labNode('node3').hostKeyLine}\n`,
      );
      const { taskId: leaving } = (await backend.call('removeClusterNode', leave)) as {
        taskId: string;
      };
      expect((await taskFinished(backend, leaving, 60_000)).error).toBeUndefined();
      expect(backend.store.get('clusters', cluster.id)?.hostIds).toEqual([ids[0], ids[1]]);
      // node3's key no longer opens node1; node1 and node2 keep trusting each other.
      expect(login(addr('node3'))).toMatch(/Permission denied.*\nrefused$/s);
      expect(authorized()).toBe(`${ADMIN_KEY}\n${granted('node1')}`);
      expect(labExec('node1', ['cat', '/root/.ssh/authorized_keys'])).toBe(granted('node2'));
      expect(labExec('node2', ['cat', '/root/.ssh/clusterdeck/known_hosts'])).toBe(
        `${labNode('node1').hostKeyLine}\n`,
      );
      expect(labExec('node2', ['cat', '/root/.ssh/config'])).toBe(
        ADMIN_CONFIG + section('node2', ['node1']),
      );
      // Nothing of the cluster is left on node3 (the authorized_keys the cluster made, empty).
      expect(
        labExec('node3', ['sh', '-c', 'ls -A /root/.ssh; cat /root/.ssh/authorized_keys']),
      ).toBe('authorized_keys\n');
      expect(
        labExec('node1', [
          'virsh',
          '-c',
          `qemu+ssh://root@clusterdeck-${addr('node2')}/system?no_tty=1`,
          'hostname',
        ]).trim(),
      ).toBe('node2');
    } finally {
      labExec('node3', ['rm', '-f', '/root/kept-cluster-key']);
    }

    const back = (await backend.call('createCluster', spec)) as { taskId: string };
    expect((await taskFinished(backend, back.taskId, 90_000)).error).toBeUndefined();
    expect(backend.store.get('clusters', cluster.id)?.hostIds).toEqual(ids);

    // A Remove that fails half-way (node3's ~/.ssh/config cannot be replaced)
    // offers an Undo that puts every line back, byte for byte.
    const granting = snapshot();
    labExec('node3', ['mkdir', '/root/.ssh/config.clusterdeck-new']);
    try {
      const { taskId: failing } = (await backend.call('removeCluster', {
        clusterId: cluster.id,
      })) as { taskId: string };
      const failed = await taskFinished(backend, failing, 60_000);
      expect(failed.error).toMatch(
        /^node3: “Remove its cluster section from ~\/\.ssh\/config” failed: .* Undo \(in Tasks\) takes back what it did\.$/,
      );
      expect(failed.undo!.map((st) => `${st.node}: ${st.title}`)).toEqual([
        'node2: Put back its ~/.ssh/config section',
        'node1: Put back its ~/.ssh/config section',
        'node3: Put back the 4 trust lines removed',
        'node2: Put back the 4 trust lines removed',
        'node1: Put back the 4 trust lines removed',
      ]);
      expect(snapshot()).not.toEqual(granting);
      expect(backend.store.get('clusters', cluster.id)?.hostIds).toEqual(ids);
      const undo = (await backend.call('undoTask', { taskId: failing })) as { taskId: string };
      expect((await taskFinished(backend, undo.taskId, 60_000)).error).toBeUndefined();
      expect(snapshot()).toEqual(granting);
    } finally {
      labExec('node3', ['rmdir', '/root/.ssh/config.clusterdeck-new']);
    }

    // Remove cluster takes every grant back; only the administrator's lines stay.
    const { taskId: removing } = (await backend.call('removeCluster', {
      clusterId: cluster.id,
    })) as { taskId: string };
    expect((await taskFinished(backend, removing, 60_000)).error).toBeUndefined();
    expect(backend.store.all('clusters')).toEqual([]);
    expect(authorized()).toBe(`${ADMIN_KEY}\n`);
    expect(labExec('node2', ['cat', '/root/.ssh/config'])).toBe(ADMIN_CONFIG);
    for (const n of ['node1', 'node3'])
      expect(labExec(n, ['sh', '-c', 'ls -A /root/.ssh'])).toMatch(/^(authorized_keys\n)?$/);
    expect(labExec('node1', ['sh', '-c', 'cat /root/.ssh/authorized_keys 2>/dev/null; true'])).toBe(
      '',
    );
    dropSharedPool();
  }, 180_000);
});

if (!haveThree) console.log('[cluster] SKIPPED: the lab has fewer than three nodes.');
