// A real Ceph cluster (Debian's ceph-mon and ceph-osd: one monitor, one OSD on
// memstore, cephx on) used by a lab node through an rbd pool made with New
// Storage Pool's backend: the cephx key goes into a libvirt secret, volumes
// are RBD images, and a guest boots with its disk on Ceph.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { cephSecretUsage } from '../../core/drivers/libvirt/pool-xml';
import { cephSecretUuid } from '../../core/drivers/libvirt/storage';
import type { StoragePool } from '../../shared/model';
import { addLabNode, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

const MON = { host: '127.0.0.1', port: 16789 };
const POOL = 'cd-ceph';
const VM = 'int-ceph';
const haveCeph =
  spawnSync('sh', ['-c', 'command -v ceph-mon && command -v ceph-osd && command -v rbd']).status ===
  0;

let home: string;
let conf: string;
let backend: Backend;
let node1: string;
let key: string;
const daemons: ChildProcess[] = [];

const ceph = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, ['-c', conf, ...args], { timeout: 30_000 })
    .toString()
    .trim();

/** One monitor and one memstore OSD, every path under `dir`. */
async function startCeph(dir: string): Promise<void> {
  const fsid = execFileSync('uuidgen').toString().trim();
  conf = join(dir, 'ceph.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      `fsid = ${fsid}`,
      // v1 only: libvirt's librados and the OSD then agree on one address.
      `mon host = v1:${MON.host}:${MON.port}`,
      'auth cluster required = cephx',
      'auth service required = cephx',
      'auth client required = cephx',
      'ms bind msgr2 = false',
      'osd pool default size = 1',
      'osd pool default min size = 1',
      'mon allow pool size one = true',
      'osd crush chooseleaf type = 0',
      'osd objectstore = memstore',
      'memstore device bytes = 536870912',
      `run dir = ${dir}/run`,
      `admin socket = ${dir}/run/$name.asok`,
      `log file = ${dir}/$name.log`,
      `keyring = ${dir}/$name.keyring`,
      `mon data = ${dir}/mon-$id`,
      `osd data = ${dir}/osd-$id`,
      '',
    ].join('\n'),
  );
  for (const d of ['run', 'mon-a', 'osd-0']) mkdirSync(join(dir, d));
  const authtool = (...args: string[]) => execFileSync('ceph-authtool', args, { timeout: 10_000 });
  const monKeyring = join(dir, 'mon.a.keyring');
  const adminKeyring = join(dir, 'client.admin.keyring');
  authtool('--create-keyring', monKeyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *');
  authtool(
    ...['--create-keyring', adminKeyring, '--gen-key', '-n', 'client.admin'],
    ...['--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *'],
  );
  authtool(monKeyring, '--import-keyring', adminKeyring);
  const monmap = join(dir, 'monmap');
  execFileSync('monmaptool', [
    ...['--create', '--addv', 'a', `[v1:${MON.host}:${MON.port}]`, '--fsid', fsid, monmap],
  ]);
  ceph('ceph-mon', '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', monKeyring);
  // -f keeps each daemon in the foreground: it is this test's child.
  daemons.push(spawn('ceph-mon', ['-c', conf, '-i', 'a', '-f'], { stdio: 'ignore' }));
  await waitFor(() => {
    try {
      ceph('ceph', '--connect-timeout', '2', 'mon', 'stat');
      return true;
    } catch {
      return false;
    }
  }, 'the Ceph monitor to answer');

  const osdUuid = execFileSync('uuidgen').toString().trim();
  const id = ceph('ceph', 'osd', 'new', osdUuid);
  const osdKeyring = join(dir, `osd.${id}.keyring`);
  authtool('--create-keyring', osdKeyring, '--gen-key', '-n', `osd.${id}`);
  ceph(
    'ceph',
    'auth',
    'add',
    `osd.${id}`,
    'osd',
    'allow *',
    'mon',
    'allow profile osd',
    '-i',
    osdKeyring,
  );
  ceph('ceph-osd', '-i', id, '--mkfs', '--osd-uuid', osdUuid);
  daemons.push(spawn('ceph-osd', ['-c', conf, '-i', id, '-f'], { stdio: 'ignore' }));
  await waitFor(
    () => JSON.parse(ceph('ceph', 'osd', 'stat', '-f', 'json')).num_up_osds === 1,
    'the OSD to come up',
    30_000,
  );
  ceph('ceph', 'osd', 'pool', 'create', 'rbd', '8');
  ceph('rbd', 'pool', 'init', 'rbd');
  // The user libvirt logs in as, limited to RBD in that one pool.
  ceph(
    'ceph',
    'auth',
    'get-or-create',
    'client.libvirt',
    'mon',
    'profile rbd',
    'osd',
    'profile rbd pool=rbd',
  );
  key = ceph('ceph', 'auth', 'get-key', 'client.libvirt');
}

function cleanNode(): void {
  const tries: string[][] = [
    ['destroy', VM],
    ['undefine', VM],
    ['pool-destroy', POOL],
    ['pool-undefine', POOL],
    ['secret-undefine', cephSecretUuid(POOL)],
  ];
  for (const args of tries)
    try {
      virshOn('node1', args);
    } catch {
      /* not there */
    }
}

async function run(method: string, params: unknown) {
  const { taskId } = (await backend.call(method as never, params as never)) as { taskId: string };
  return taskFinished(backend, taskId, 60_000);
}

const cephPool = () =>
  waitFor(
    () =>
      backend.store
        .all('pools')
        .find((p) => p.hostId === node1 && p.name === POOL && p.state === 'running'),
    `${POOL} running`,
    30_000,
  );

describe.runIf(haveCeph)('Ceph RBD', () => {
  beforeAll(async () => {
    cleanNode();
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-ceph-'));
    const dir = join(home, 'ceph');
    mkdirSync(dir);
    await startCeph(dir);
    backend = await Backend.start(testBackendOptions(home));
    node1 = await addLabNode(backend, 'node1');
  }, 90_000);

  afterAll(() => {
    cleanNode();
    backend?.close();
    for (const d of daemons) d.kill();
    rmSync(home, { recursive: true, force: true });
  });

  it('defines an rbd pool whose cephx key is a libvirt secret, never shown', async () => {
    const task = await run('createStoragePool', {
      spec: {
        type: 'rbd',
        name: POOL,
        monitors: [MON],
        cephPool: 'rbd',
        user: 'libvirt',
        key,
      },
      hostIds: [node1],
    });
    expect(task.error).toBeUndefined();
    await cephPool();
    const secrets = virshOn('node1', ['secret-list']);
    expect(secrets).toContain(cephSecretUuid(POOL));
    expect(secrets).toContain(`ceph ${cephSecretUsage(POOL)}`);
    // libvirt holds the key; nothing the app kept or wrote shows it.
    expect(JSON.stringify(backend.store.all('tasks'))).not.toContain(key);
    for (const f of readdirSync(home, { recursive: true, withFileTypes: true }))
      if (f.isFile() && !f.parentPath.includes(join(home, 'ceph')))
        expect(readFileSync(join(f.parentPath, f.name), 'latin1')).not.toContain(key);
  });

  it('creates raw RBD images as volumes and refuses qcow2 with the reason', async () => {
    const pool: StoragePool = await cephPool();
    await expect(
      backend.call('volumeAction', {
        poolId: pool.id,
        volume: { op: 'create', name: 'img1', bytes: 32 * 2 ** 20, format: 'qcow2' },
      }),
    ).rejects.toThrow(`${POOL} is a Ceph RBD pool: new volumes in it are raw, not qcow2.`);
    const made = await run('volumeAction', {
      poolId: pool.id,
      volume: { op: 'create', name: 'img1', bytes: 32 * 2 ** 20, format: 'raw' },
    });
    expect(made.error).toBeUndefined();
    expect(ceph('rbd', 'ls', 'rbd').split('\n')).toContain('img1');
    const listed = await waitFor(
      () => backend.store.get('pools', pool.id)?.volumes.find((v) => v.name === 'img1'),
      'img1 listed in the pool',
    );
    expect(listed.capacity).toBe(32 * 2 ** 20);
    const gone = await run('volumeAction', {
      poolId: pool.id,
      volume: { op: 'delete', name: 'img1' },
    });
    expect(gone.error).toBeUndefined();
    expect(ceph('rbd', 'ls', 'rbd').split('\n')).not.toContain('img1');
  });

  it('boots a guest whose new disk is an RBD image', async () => {
    const pool: StoragePool = await cephPool();
    const task = await run('createVm', {
      hostId: node1,
      spec: {
        name: VM,
        os: 'linux',
        vcpus: 1,
        memoryMiB: 128,
        disk: { kind: 'new', poolId: pool.id, bytes: 64 * 2 ** 20, format: 'raw' },
        boot: {
          kind: 'kernel',
          kernel: '/var/lib/libvirt/boot/vmlinuz',
          initrd: '/var/lib/libvirt/boot/initrd.gz',
          cmdline: 'console=ttyS0',
        },
        network: { kind: 'none' },
        kvm: false,
        graphics: 'vnc',
        serial: true,
        start: true,
      },
    });
    expect(task.error).toBeUndefined();
    expect(virshOn('node1', ['domstate', VM]).trim()).toBe('running');
    // QEMU opened the image on Ceph itself (with the secret), not a file.
    expect(virshOn('node1', ['domblklist', VM])).toContain(`rbd/${VM}-disk0.img`);
    expect(ceph('rbd', 'ls', 'rbd').split('\n')).toContain(`${VM}-disk0.img`);
    const { taskId } = (await backend.call('deleteVm', {
      vmId: (await waitFor(
        () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === VM),
        `${VM} listed`,
      ))!.id,
      disks: ['vda'],
    })) as { taskId: string };
    expect((await taskFinished(backend, taskId, 60_000)).error).toBeUndefined();
    expect(ceph('rbd', 'ls', 'rbd').split('\n')).not.toContain(`${VM}-disk0.img`);
  });
});

if (!haveCeph)
  console.log('[ceph] SKIPPED: ceph-mon/ceph-osd are not installed here (.ci/run installs them).');
