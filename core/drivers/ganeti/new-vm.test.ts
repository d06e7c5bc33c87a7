// New VM and Edit settings on Ganeti: parsing what the lab's master said
// (fixtures/instance-options.txt is INSTANCE_OPTIONS_ARGV's real output,
// instance-now.txt instanceNowArgv's) and the commands built from a spec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceSpecSchema, type InstanceSpec } from '../../../shared/instance';
import { quoteArgv } from '../../ssh/quote';
import { instanceModifyPlan, parseInstanceNow } from './modify';
import {
  instanceAddArgv,
  instanceProblems,
  parseClusterInfo,
  parseInstanceOptions,
  parseNodeChecks,
} from './new-vm';

const fixture = (f: string) => readFileSync(join(__dirname, 'fixtures', f), 'utf8');
const options = parseInstanceOptions(fixture('instance-options.txt'), ['read']);

const spec = (over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpecSchema.parse({
    name: 'web1.gnt.test',
    os: 'noop',
    diskTemplate: 'sharedfile',
    placement: { kind: 'nodes', primary: 'node2.gnt.test' },
    hypervisor: 'kvm',
    memoryMiB: 512,
    vcpus: 2,
    disksMiB: [1024],
    nics: [{ link: 'br0' }],
    start: true,
    ...over,
  });

describe('Ganeti New VM options from the lab master', () => {
  it('reads OS definitions, nodes, hypervisors, allocators, links and the instance policy', () => {
    expect(options).toMatchObject({
      cluster: 'cluster.gnt.test',
      oses: ['noop'],
      nodes: ['node1.gnt.test', 'node2.gnt.test', 'node3.gnt.test'],
      hypervisors: ['fake', 'kvm'],
      defaultHypervisor: 'fake',
      allocators: ['hail'],
      defaultAllocator: 'hail',
      links: ['br0'],
      policy: {
        minDiskMiB: 1024,
        maxDiskMiB: 1048576,
        minMemoryMiB: 128,
        maxMemoryMiB: 32768,
        minVcpus: 1,
        maxVcpus: 8,
      },
    });
  });

  it('offers the enabled templates and says, per node, why drbd and plain cannot be used', () => {
    const t = Object.fromEntries(options.templates.map((x) => [x.name, x]));
    expect(options.templates.filter((x) => x.available).map((x) => x.name)).toEqual([
      'diskless',
      'file',
      'sharedfile',
    ]);
    expect(t['drbd']!.reason).toBe(
      'DRBD needs the drbd kernel module, which node1.gnt.test, node2.gnt.test and node3.gnt.test lack. ' +
        'DRBD needs an LVM volume group, which node1.gnt.test, node2.gnt.test and node3.gnt.test have none of. ' +
        'cluster.gnt.test does not enable the drbd template.',
    );
    expect(t['plain']!.reason).toMatch(/^plain needs an LVM volume group, which node1/);
  });

  it('names only the nodes that lack a module', () => {
    const checks = parseNodeChecks([
      'node: a.test',
      'drbd=yes',
      'lvm=yes',
      'return code = 0',
      'node: b.test',
      'drbd=no',
      'lvm=yes',
    ]);
    const info = parseClusterInfo([
      'Cluster parameters: ',
      '  enabled disk templates: drbd, plain',
    ]);
    expect(info.get('Cluster parameters/enabled disk templates')).toBe('drbd, plain');
    const o = parseInstanceOptions(
      [
        '== info',
        'Cluster name: c.test',
        'Cluster parameters: ',
        '  enabled disk templates: drbd, plain',
        '== nodes',
        'a.test|Y|N|N',
        'b.test|Y|N|N',
        'c.test|Y|Y|N',
        '== checks',
        ...['node: a.test', 'drbd=yes', 'lvm=yes', 'node: b.test', 'drbd=no', 'lvm=yes'],
      ].join('\n'),
      [],
    );
    expect(checks.get('b.test')?.get('drbd')).toBe('no');
    // c.test is offline: not offered, not blamed.
    expect(o.nodes).toEqual(['a.test', 'b.test']);
    expect(o.templates.find((x) => x.name === 'plain')?.available).toBe(true);
    expect(o.templates.find((x) => x.name === 'drbd')?.reason).toBe(
      'DRBD needs the drbd kernel module, which b.test lacks.',
    );
  });
});

describe('gnt-instance add from the wizard’s spec', () => {
  it('builds the command with every name as an option value or after --', () => {
    expect(quoteArgv(instanceAddArgv(spec()))).toBe(
      'gnt-instance add --submit -t sharedfile -o noop -n node2.gnt.test -H kvm ' +
        '-B maxmem=512,minmem=512,vcpus=2 --disk 0:size=1024M --net 0:link=br0 ' +
        '--no-name-check --no-ip-check -- web1.gnt.test',
    );
    const mirrored = instanceAddArgv(
      spec({
        diskTemplate: 'drbd',
        placement: { kind: 'nodes', primary: 'node1.gnt.test', secondary: 'node3.gnt.test' },
        start: false,
        nameCheck: true,
      }),
    );
    expect(mirrored).toContain('node1.gnt.test:node3.gnt.test');
    expect(mirrored).toContain('--no-start');
    expect(mirrored).not.toContain('--no-name-check');
    const allocated = instanceAddArgv(
      spec({ placement: { kind: 'allocator', allocator: 'hail' } }),
    );
    expect(allocated.slice(7, 9)).toEqual(['-I', 'hail']);
  });

  it('refuses names that could be read as options or carry shell syntax', () => {
    for (const name of ['-rf', 'a;b', 'x y', 'a$(id)'])
      expect(instanceSpecSchema.safeParse({ ...spec(), name }).success).toBe(false);
    expect(instanceSpecSchema.safeParse({ ...spec(), os: '--force' }).success).toBe(false);
    expect(instanceSpecSchema.safeParse({ ...spec(), nics: [{ link: '-x' }] }).success).toBe(false);
  });

  it('states what stands in the way, against the cluster’s options', () => {
    expect(instanceProblems(spec(), options)).toEqual([]);
    expect(
      instanceProblems(
        spec({ diskTemplate: 'drbd', disksMiB: [512], memoryMiB: 64, nics: [] }),
        options,
      ),
    ).toEqual([
      expect.stringMatching(/^The drbd template cannot be used: DRBD needs the drbd kernel module/),
      'The drbd template needs a secondary node.',
      "cluster.gnt.test's instance policy wants 128–32768 MiB of memory.",
      "cluster.gnt.test's instance policy wants disks of 1024–1048576 MiB.",
      'Give the VM a NIC (the instance policy wants one).',
    ]);
    expect(
      instanceProblems(spec({ placement: { kind: 'nodes', primary: 'node9.gnt.test' } }), options),
    ).toEqual(['node9.gnt.test is not a VM-capable online node of cluster.gnt.test.']);
  });
});

describe('gnt-instance modify and grow-disk from Edit settings', () => {
  const now = parseInstanceNow(fixture('instance-now.txt'), 'web1.gnt.test');

  it('reads the instance as it is now', () => {
    expect(now).toEqual({
      running: false,
      maxMemoryMiB: 256,
      minMemoryMiB: 192,
      vcpus: 2,
      nicLinks: ['br0', 'br0'],
      diskSizesMiB: [1024],
      diskTemplate: 'sharedfile',
    });
  });

  it('lists each change before → after and builds one modify job and one grow-disk per disk', () => {
    const plan = instanceModifyPlan(
      'web1.gnt.test',
      { ...now, running: true },
      {
        maxMemoryMiB: 512,
        minMemoryMiB: 192,
        vcpus: 4,
        nicLinks: [{ index: 1, link: 'br1' }],
        addNics: [{ link: 'br0' }],
        growDisks: [{ index: 0, toMiB: 4096 }],
      },
    );
    expect(plan.problems).toEqual([]);
    expect(plan.changes).toEqual([
      { what: 'Memory (maxmem)', before: '256 MiB', after: '512 MiB', atNextStart: true },
      { what: 'vCPUs', before: '2', after: '4', atNextStart: true },
      { what: 'NIC 1 link', before: 'br0', after: 'br1', atNextStart: true },
      { what: 'NIC 2 (new)', before: 'none', after: 'on br0', atNextStart: true },
      { what: 'Disk 0 size', before: '1024 MiB', after: '4096 MiB', atNextStart: false },
    ]);
    expect(plan.argvs.map(quoteArgv)).toEqual([
      'gnt-instance modify --submit -B maxmem=512,vcpus=4 --net 1:modify,link=br1 --net add:link=br0 -- web1.gnt.test',
      'gnt-instance grow-disk --submit --absolute -- web1.gnt.test 0 4096M',
    ]);
  });

  it('refuses a shrink, a missing NIC or disk, and less memory than the minimum', () => {
    const plan = instanceModifyPlan('web1.gnt.test', now, {
      maxMemoryMiB: 128,
      nicLinks: [{ index: 5, link: 'br0' }],
      addNics: [],
      growDisks: [
        { index: 0, toMiB: 512 },
        { index: 3, toMiB: 2048 },
      ],
    });
    expect(plan.problems).toEqual([
      'The minimum memory (192 MiB) is more than the memory (128 MiB).',
      'web1.gnt.test has no NIC 5.',
      'Disk 0 of web1.gnt.test cannot shrink (1024 MiB → 512 MiB).',
      'web1.gnt.test has no disk 3.',
    ]);
  });
});
