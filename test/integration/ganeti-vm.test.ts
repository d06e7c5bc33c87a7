// New VM and Edit settings on Ganeti through the backend, against the real
// Ganeti lab (scripts/lab-ganeti): the choices read from the master (OS
// definitions, disk templates with the reason each unavailable one names the
// nodes, nodes, allocators, links), `gnt-instance add` on a chosen primary
// and through the allocator, and `gnt-instance modify` / `grow-disk`, each
// run as a job task and checked with `gnt-instance list -o` on the master.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { ganetiStack } from '../../core/drivers/ganeti/stack';
import { DriverRegistry } from '../../core/drivers/registry';
import type { Vm } from '../../shared/model';
import type { InstanceOptions, InstanceSettings, InstanceSpecInput } from '../../shared/instance';
import {
  addGanetiLabNode,
  ensureGanetiCluster,
  ganetiExec,
  ganetiMaster,
  instanceStatusOnMaster,
  removeGanetiInstance,
} from '../ganeti-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const DISKLESS = 'cd-gvm-a.gnt.test';
const SHARED = 'cd-gvm-b.gnt.test';
let backend: Backend;
let home: string;
let hostId: string;
let options: InstanceOptions;

/** `gnt-instance list -o fields` on the master for one instance, split on '|'. */
const onMaster = (name: string, fields: string): string[] =>
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    fields,
    name,
  ])
    .trim()
    .split('|');

const vmNamed = (name: string): Vm | undefined =>
  backend.store.all('vms').find((v) => v.name === name);

const spec = (over: Partial<InstanceSpecInput>): InstanceSpecInput => ({
  name: DISKLESS,
  os: 'noop',
  diskTemplate: 'diskless',
  placement: { kind: 'nodes', primary: 'node3.gnt.test' },
  hypervisor: 'fake',
  memoryMiB: 128,
  vcpus: 1,
  disksMiB: [],
  nics: [{ link: 'br0' }],
  start: false,
  ...over,
});

async function run(method: string, params: object) {
  const { taskId } = (await backend.call(method, params)) as { taskId: string };
  return taskFinished(backend, taskId, 180_000);
}

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  for (const n of [DISKLESS, SHARED]) removeGanetiInstance(n);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-gvm-'));
  backend = await Backend.start({
    ...testBackendOptions(home),
    drivers: new DriverRegistry([ganetiStack]),
  });
  // node2: not the master, so every command goes on to the master.
  hostId = await addGanetiLabNode(backend, 'node2');
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  for (const n of [DISKLESS, SHARED]) removeGanetiInstance(n);
}, 300_000);

describe.skipIf(!canRun)('New VM and Edit settings on Ganeti', () => {
  it('offers the cluster’s OS definitions, templates, nodes and links; says why DRBD and plain cannot be used, per node', async () => {
    expect(backend.store.get('hosts', hostId)?.capabilities).toContain('instance-create');
    options = (await backend.call('getInstanceOptions', { hostId })) as InstanceOptions;
    expect(options.cluster).toBe('cluster.gnt.test');
    expect(options.oses).toContain('noop');
    expect(options.nodes).toEqual(['node1.gnt.test', 'node2.gnt.test', 'node3.gnt.test']);
    expect(options.links[0]).toBe('br0');
    expect(options.hypervisors).toEqual(['fake', 'kvm']);
    expect(options.policy.minDiskMiB).toBe(1024);
    const t = Object.fromEntries(options.templates.map((x) => [x.name, x]));
    for (const ok of ['diskless', 'file', 'sharedfile']) expect(t[ok]?.available).toBe(true);
    const all = 'node1.gnt.test, node2.gnt.test and node3.gnt.test';
    expect(t['drbd']).toMatchObject({ available: false, mirrored: true });
    expect(t['drbd']!.reason).toContain(`DRBD needs the drbd kernel module, which ${all} lack.`);
    expect(t['plain']!.available).toBe(false);
    expect(t['plain']!.reason).toContain(
      `plain needs an LVM volume group, which ${all} have none of.`,
    );
    expect(t['plain']!.reason).toContain('cluster.gnt.test does not enable the plain template.');
    // Each refusal is also the plan's problem.
    const drbd = (await backend.call('planInstance', {
      hostId,
      spec: spec({
        diskTemplate: 'drbd',
        disksMiB: [1024],
        placement: { kind: 'nodes', primary: 'node1.gnt.test', secondary: 'node2.gnt.test' },
      }),
    })) as { problems: string[] };
    expect(drbd.problems.join(' ')).toContain('The drbd template cannot be used: DRBD needs');
    const plain = (await backend.call('planInstance', {
      hostId,
      spec: spec({ diskTemplate: 'plain', disksMiB: [1024] }),
    })) as { problems: string[] };
    expect(plain.problems.join(' ')).toContain(`LVM volume group, which ${all}`);
    await expect(
      backend.call('createInstance', {
        hostId,
        spec: spec({ diskTemplate: 'plain', disksMiB: [1024] }),
      }),
    ).rejects.toThrow(/LVM volume group/);
    expect(instanceStatusOnMaster(DISKLESS)).toBe('');
  }, 120_000);

  it('creates a diskless KVM VM on a chosen primary as a job, the exact command logged', async () => {
    // The KVM hypervisor (under TCG where the lab has no KVM); not started.
    const s = spec({ hypervisor: 'kvm' });
    const plan = (await backend.call('planInstance', { hostId, spec: s })) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps[0]!.command).toContain(
      `gnt-instance add --submit -t diskless -o noop -n node3.gnt.test -H kvm -B maxmem=128,minmem=128,vcpus=1 --net 0:link=br0 --no-name-check --no-ip-check --no-start -- ${DISKLESS}`,
    );
    const task = await run('createInstance', { hostId, spec: s });
    expect(task.state, task.error).toBe('succeeded');
    expect(task.log.map((r) => r.command).join('\n')).toMatch(
      /gnt-instance add --submit -t diskless[\s\S]*-- cd-gvm-a\.gnt\.test[\s\S]*gnt-job watch -- \d+/,
    );
    expect(onMaster(DISKLESS, 'status,pnode,disk_template,os,hypervisor')).toEqual([
      'ADMIN_down',
      'node3.gnt.test',
      'diskless',
      'noop',
      'kvm',
    ]);
    const vm = await waitFor(() => vmNamed(DISKLESS), `${DISKLESS} in the store`);
    expect(vm.placement?.primary).toBe('node3.gnt.test');
  }, 240_000);

  it('creates a sharedfile VM with the allocator (or on a chosen primary without one), started', async () => {
    const allocator = options.allocators.includes('hail');
    const s = spec({
      name: SHARED,
      diskTemplate: 'sharedfile',
      disksMiB: [1024],
      start: true,
      placement: allocator
        ? { kind: 'allocator', allocator: 'hail' }
        : { kind: 'nodes', primary: 'node2.gnt.test' },
    });
    const task = await run('createInstance', { hostId, spec: s });
    expect(task.state, task.error).toBe('succeeded');
    expect(task.log.map((r) => r.command).join('\n')).toContain(
      allocator ? '-I hail' : '-n node2.gnt.test',
    );
    const [status, template, sizes, pnode] = onMaster(
      SHARED,
      'status,disk_template,disk.sizes,pnode',
    );
    expect([status, template, sizes]).toEqual(['running', 'sharedfile', '1024']);
    expect(options.nodes).toContain(pnode);
    await waitFor(() => vmNamed(SHARED)?.state === 'running', `${SHARED} running in the store`);
  }, 240_000);

  it('edits memory and vCPUs of a VM: the review says before → after, then the job sets them', async () => {
    const vm = await waitFor(() => vmNamed(DISKLESS), DISKLESS);
    const settings: InstanceSettings = {
      maxMemoryMiB: 256,
      minMemoryMiB: 192,
      vcpus: 2,
      nicLinks: [],
      addNics: [{ link: 'br0' }],
      growDisks: [],
    };
    const review = (await backend.call('planInstanceSettings', { vmId: vm.id, settings })) as {
      changes: { what: string; before: string; after: string; atNextStart: boolean }[];
      steps: { command: string }[];
      problems: string[];
    };
    expect(review.problems).toEqual([]);
    expect(review.changes.map((c) => `${c.what}: ${c.before} → ${c.after}`)).toEqual([
      'Memory (maxmem): 128 MiB → 256 MiB',
      'Minimum memory (minmem): 128 MiB → 192 MiB',
      'vCPUs: 1 → 2',
      'NIC 1 (new): none → on br0',
    ]);
    // Shut off: nothing waits for a restart.
    expect(review.changes.every((c) => !c.atNextStart)).toBe(true);
    expect(review.steps.map((s) => s.command).join('\n')).toContain(
      `gnt-instance modify --submit -B maxmem=256,minmem=192,vcpus=2 --net add:link=br0 -- ${DISKLESS}`,
    );
    const task = await run('applyInstanceSettings', { vmId: vm.id, settings });
    expect(task.state, task.error).toBe('succeeded');
    expect(onMaster(DISKLESS, 'be/maxmem,be/minmem,be/vcpus,nic.links')).toEqual([
      '256',
      '192',
      '2',
      'br0,br0',
    ]);
    await waitFor(() => vmNamed(DISKLESS)?.vcpus === 2, 'vcpus 2 in the store');
  }, 240_000);

  it('grows a running VM’s disk and says memory waits for the next start', async () => {
    const vm = await waitFor(() => vmNamed(SHARED), SHARED);
    const settings: InstanceSettings = {
      maxMemoryMiB: 160,
      nicLinks: [],
      addNics: [],
      growDisks: [{ index: 0, toMiB: 2048 }],
    };
    const review = (await backend.call('planInstanceSettings', { vmId: vm.id, settings })) as {
      changes: { what: string; atNextStart: boolean }[];
      steps: { command: string }[];
    };
    expect(review.changes).toEqual([
      expect.objectContaining({ what: 'Memory (maxmem)', atNextStart: true }),
      expect.objectContaining({ what: 'Disk 0 size', atNextStart: false }),
    ]);
    expect(review.steps[1]!.command).toContain(
      `gnt-instance grow-disk --submit --absolute -- ${SHARED} 0 2048M`,
    );
    // Shrinking is refused before anything runs.
    await expect(
      backend.call('applyInstanceSettings', {
        vmId: vm.id,
        settings: { ...settings, growDisks: [{ index: 0, toMiB: 512 }] },
      }),
    ).rejects.toThrow(/cannot shrink/);
    const task = await run('applyInstanceSettings', { vmId: vm.id, settings });
    expect(task.state, task.error).toBe('succeeded');
    expect(onMaster(SHARED, 'be/maxmem,disk.sizes,status')).toEqual(['160', '2048', 'running']);
  }, 240_000);
});
