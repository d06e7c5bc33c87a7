import { describe, expect, it } from 'vitest';
import { ganetiClusterSpecSchema, type GanetiClusterSpec } from '../../../shared/ganeti-cluster';
import { ganetiDefaults, ganetiPreflight, type FactsOf } from './cluster-init';
import { createSteps, initArgv, undoAll } from './cluster-steps';
import type { NodeFacts } from './node-facts';

// As the probe printed it on a lab node (scripts/lab-ganeti, no cluster yet).
const facts = (i: number, over: Partial<NodeFacts> = {}): FactsOf => ({
  hostId: `h${i}`,
  label: `n${i}`,
  f: {
    fqdn: `node${i}.gnt.test`,
    version: 'gnt-cluster (ganeti 3.0.2-3) 3.0.2',
    cluster: '',
    configured: false,
    addrs: [
      { dev: 'lo', ip: '127.0.0.1', prefix: 8 },
      { dev: 'eth0', ip: `198.51.100.${10 + i}`, prefix: 27 },
    ],
    links: ['lo', 'br0', 'eth0'],
    bridges: ['br0'],
    qemu: '/usr/bin/qemu-system-x86_64',
    devKvm: true,
    drbd: false,
    vgs: [],
    lvm: true,
    filePaths: [
      { path: '/srv/ganeti/file-storage', exists: true },
      { path: '/srv/ganeti/shared-file-storage', exists: true },
    ],
    resolve: {
      'cluster.gnt.test': '198.51.100.10',
      'node1.gnt.test': '198.51.100.11',
      'node2.gnt.test': '198.51.100.12',
    },
    ssh: { '198.51.100.12': 'open' },
    free: {},
    ...over,
  },
});

const spec: GanetiClusterSpec = {
  name: 'cluster.gnt.test',
  hostIds: ['h1', 'h2'],
  masterNetdev: 'eth0',
  masterNetmask: 27,
  nicLink: 'br0',
  hypervisors: ['fake', 'kvm'],
  diskTemplates: ['diskless', 'file', 'sharedfile'],
  fileStorageDir: '/srv/ganeti/file-storage',
  sharedFileStorageDir: '/srv/ganeti/shared-file-storage',
  kvmPath: '/usr/bin/qemu-system-x86_64',
  kvmAccel: false,
  manageEtcHosts: false,
};

describe('New Cluster on Ganeti', () => {
  it('offers only what every node supports, naming the node and what it lacks', () => {
    const d = ganetiDefaults([facts(1), facts(2, { qemu: '', drbd: true, vgs: ['xenvg'] })]);
    expect(d).toMatchObject({ masterNetdev: 'eth0', masterNetmask: 27, nicLink: 'br0' });
    const miss = Object.fromEntries(
      [...d.hypervisors, ...d.diskTemplates].map((x) => [x.name, x.missing]),
    );
    expect(miss).toEqual({
      kvm: 'n2 has no qemu-system-x86_64',
      fake: '',
      diskless: '',
      file: '',
      sharedfile: '',
      plain: 'n1 has no LVM volume group',
      drbd: 'n1 lacks the drbd kernel module and no LVM volume group',
    });
  });

  it('has one ok line per check when nothing stands in the way, and a line per node and problem otherwise', () => {
    const good = ganetiPreflight(spec, [facts(1), facts(2)], 'none');
    expect(good.filter((f) => f.level === 'problem')).toEqual([]);
    const bad = ganetiPreflight(
      spec,
      [facts(1, { ssh: { '198.51.100.12': 'none' } }), facts(2, { resolve: {}, links: ['lo'] })],
      'refused',
    );
    expect(bad.filter((f) => f.level !== 'ok').map((f) => f.detail)).toEqual(
      expect.arrayContaining([
        "n2 cannot resolve node1.gnt.test (n1's name).",
        'n2 cannot resolve the cluster name cluster.gnt.test.',
        'n2 has no network device eth0: it could not take over as master.',
        'cluster.gnt.test (198.51.100.10) is in use: something answers at 198.51.100.10.',
        'n1 cannot reach the SSH port of n2 (198.51.100.12:22).',
      ]),
    );
  });

  it('runs init with the values quoted as options, the name after --, and undoes in reverse', () => {
    expect(initArgv(spec).slice(-4)).toEqual([
      '--nic-parameters=link=br0',
      '--no-etc-hosts',
      '--',
      'cluster.gnt.test',
    ]);
    expect(initArgv(spec)).toContain(
      'kvm:kvm_flag=disabled,kvm_path=/usr/bin/qemu-system-x86_64,kernel_path=,initrd_path=,serial_console=false,vnc_bind_address=127.0.0.1',
    );
    const steps = createSteps(spec, [facts(1), facts(2)]);
    expect(steps.map((s) => `${s.node}: ${s.argv.join(' ')}`)).toEqual([
      expect.stringMatching(/^n1: gnt-cluster init --enabled-hypervisors=fake,kvm /),
      'n1: sh -c cat ~/.ssh/id_rsa.pub',
      expect.stringMatching(/^n2: sh -c read -r k; mkdir -p ~\/.ssh;/),
      'n1: gnt-node add --no-ssh-key-check -- node2.gnt.test',
      'n2: /usr/lib/ganeti/daemon-util start-all',
    ]);
    // Once added, gnt-node remove takes the node's cluster keys itself.
    expect(undoAll(steps).map((s) => s.argv.join(' '))).toEqual([
      'gnt-node remove -- node2.gnt.test',
      'gnt-cluster destroy --yes-do-it',
    ]);
  });

  it('asks for a volume group every node has when plain or DRBD disks are enabled, and passes it to init', () => {
    const lvmNodes = [
      facts(1, { vgs: ['xenvg', 'data'] }),
      facts(2, { vgs: ['data', 'xenvg'] }),
      facts(3, { vgs: ['data'] }),
    ];
    expect(ganetiDefaults(lvmNodes).vgs).toEqual(['data']);
    const plain = {
      ...spec,
      diskTemplates: ['file', 'plain'] as GanetiClusterSpec['diskTemplates'],
    };
    const refused = ganetiClusterSpecSchema.safeParse(plain);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['vgName'],
      message: 'Plain and DRBD disks need the LVM volume group to use.',
    });
    const withVg = { ...plain, vgName: 'xenvg' };
    expect(ganetiClusterSpecSchema.safeParse(withVg).success).toBe(true);
    expect(ganetiClusterSpecSchema.safeParse({ ...withVg, vgName: '-x' }).success).toBe(false);
    expect(initArgv(withVg)).toContain('--vg-name=xenvg');
    expect(initArgv({ ...spec, vgName: 'xenvg' })).not.toContain('--vg-name=xenvg');
    const lines = ganetiPreflight(withVg, lvmNodes, 'none').filter(
      (f) => f.check === 'LVM volume group',
    );
    expect(lines).toEqual([
      expect.objectContaining({ level: 'problem', detail: 'n3 has no volume group xenvg.' }),
    ]);
  });
});
