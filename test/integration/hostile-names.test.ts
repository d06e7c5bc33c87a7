// Names an attacker with a shell on the node can choose, taken through the
// backend against a lab node: files in a directory pool named like virsh
// options (`--vol=victim.img`, `-rf`, `--pool=other`) and snapshots named so
// (`--snapshotname=victim`). Each must be listed under its real name and be
// the only thing an action on it changes, checked on the node itself.
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Snapshot, StoragePool } from '../../shared/model';
import {
  LAB_DIR,
  addLabNode,
  labExec,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';

const POOL = 'cd-hostile';
const DIR = join(LAB_DIR, 'hostile-pool-node1');
const VM = 'int-hostile';
/** Volume names that read as options, or that virsh's table pads and blurs, beside their victims. */
const FILES = [
  'victim.img',
  '--vol=victim.img',
  '-rf',
  '--pool=other',
  'other',
  '--',
  '-',
  '--help',
  ' sp ace  two ',
  'a   b',
  "a'b",
  'x',
  'x ',
];
const SNAPSHOTS = ['victim', '--snapshotname=victim', '-rf', '--current', ' sp  ace '];

let home: string;
let backend: Backend;
let node1: string;
/** Hostile names sent through the backend, per field, and injections seen. */
const tried = { volumes: 0, snapshots: 0 };

const pool = (): StoragePool | undefined =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === POOL);
const names = () => (pool()?.volumes.map((v) => v.name) ?? []).sort();

/** Each file in the pool's directory on the node: size and SHA-256, by name. */
function filesOnNode(): Record<string, string> {
  const out = labExec('node1', [
    'sh',
    '-c',
    'cd "$1" && for f in ./* ./.[!.]*; do [ -f "$f" ] && printf "%s\\t%s %s\\n" "${f#./}" "$(stat -c %s -- "$f")" "$(sha256sum < "$f" | cut -c1-16)"; done; true',
    'files',
    DIR,
  ]);
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  );
}

async function volumeAction(volume: unknown): Promise<void> {
  tried.volumes++;
  const { taskId } = (await backend.call('volumeAction', {
    poolId: pool()!.id,
    volume,
  })) as { taskId: string };
  const t = await taskFinished(backend, taskId);
  expect(t.error).toBeUndefined();
}

/** What an action on `name` did on the node: every other file must be as it was. */
async function onlyChanged(name: string, act: () => Promise<void>): Promise<void> {
  const before = filesOnNode();
  await act();
  const after = filesOnNode();
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (f) => before[f] !== after[f],
  );
  expect(changed.filter((f) => f !== name && f !== 'cloned.img')).toEqual([]);
}

function cleanUp(): void {
  for (const args of [
    ['destroy', VM],
    ['undefine', '--snapshots-metadata', VM],
    ['pool-destroy', POOL],
    ['pool-undefine', POOL],
  ]) {
    try {
      virshOn('node1', args);
    } catch {
      /* not there */
    }
  }
  rmSync(DIR, { recursive: true, force: true });
}

beforeAll(async () => {
  cleanUp();
  mkdirSync(DIR);
  // Each file holds its own name, so a swap would show in its hash.
  for (const f of FILES) writeFileSync(join(DIR, f), `${f}\n`.repeat(4096));
  virshOn('node1', ['pool-define-as', POOL, 'dir', '--target', DIR]);
  virshOn('node1', ['pool-start', POOL]);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-hostile-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
  cleanUp();
  console.log(`hostile names tried: ${JSON.stringify(tried)}`);
});

describe('volume names that read as options', () => {
  it('lists every file under its real name and path', async () => {
    await waitFor(() => names().length >= FILES.length, 'the hostile pool listed');
    expect(names()).toEqual([...FILES].sort());
    for (const v of pool()!.volumes) expect(v.path).toBe(join(DIR, v.name));
  });

  it('downloads each one’s own bytes', async () => {
    for (const f of FILES) {
      tried.volumes++;
      const { taskId, url } = (await backend.call('startDownload', {
        poolId: pool()!.id,
        volume: f,
      })) as { taskId: string; url: string };
      const body = await new Promise<Buffer>((resolve, reject) => {
        get(url, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve(Buffer.concat(parts)));
        }).on('error', reject);
      });
      expect((await taskFinished(backend, taskId)).state).toBe('succeeded');
      expect(createHash('sha256').update(body).digest('hex')).toBe(
        createHash('sha256').update(`${f}\n`.repeat(4096)).digest('hex'),
      );
    }
  });

  it('resizes, clones and deletes only the volume named', async () => {
    await onlyChanged('-rf', () => volumeAction({ op: 'resize', name: '-rf', bytes: 2 * 2 ** 20 }));
    expect(filesOnNode()['-rf']).toMatch(/^2097152 /);
    await onlyChanged('--pool=other', () =>
      volumeAction({ op: 'clone', name: '--pool=other', newName: 'cloned.img' }),
    );
    expect(filesOnNode()['cloned.img']).toBe(filesOnNode()['--pool=other']);
    for (const f of ['--vol=victim.img', '--', '-', '--help', ' sp ace  two ', 'a   b', 'x ']) {
      await onlyChanged(f, () => volumeAction({ op: 'delete', name: f }));
      expect(filesOnNode()[f]).toBeUndefined();
      await waitFor(() => !names().includes(f), `${JSON.stringify(f)} gone from the list`);
    }
    // The victims stand, byte for byte.
    expect(filesOnNode()['victim.img']).toMatch(/^\d+ /);
    expect(filesOnNode()['other']).toMatch(/^\d+ /);
    expect(names()).toEqual(
      ['victim.img', '-rf', '--pool=other', 'other', "a'b", 'x', 'cloned.img'].sort(),
    );
  });
});

describe('snapshot names that read as options', () => {
  const current = () => virshOn('node1', ['snapshot-current', '--domain', VM, '--name']).trim();
  const onNode = () =>
    virshOn('node1', ['snapshot-list', '--domain', VM, '--name'])
      .split('\n')
      .filter(Boolean)
      .sort();

  it('lists, reverts to and deletes only the snapshot named', async () => {
    virshOn('node1', [
      'vol-create-as',
      '--pool',
      POOL,
      '--name',
      'hostile-disk.qcow2',
      '--capacity',
      '16M',
      '--format',
      'qcow2',
    ]);
    const xml = join(LAB_DIR, 'node1', `${VM}.xml`);
    writeFileSync(
      xml,
      `<domain type='qemu'><name>${VM}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
        `<os><type arch='x86_64'>hvm</type></os><devices><disk type='file' device='disk'>` +
        `<driver name='qemu' type='qcow2'/><source file='${DIR}/hostile-disk.qcow2'/>` +
        `<target dev='vda' bus='virtio'/></disk></devices></domain>`,
    );
    virshOn('node1', ['define', xml]);
    for (const s of SNAPSHOTS)
      virshOn('node1', ['snapshot-create-as', '--domain', VM, '--name', s]);
    expect(onNode()).toEqual([...SNAPSHOTS].sort());
    const vm = await waitFor(
      () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === VM),
      `${VM} listed`,
    );
    const list = async () => {
      tried.snapshots++;
      return ((await backend.call('listSnapshots', { vmId: vm.id })) as { snapshots: Snapshot[] })
        .snapshots;
    };
    const act = async (snapshot: { op: string; name: string }) => {
      tried.snapshots++;
      const { taskId } = (await backend.call('snapshotAction', { vmId: vm.id, snapshot })) as {
        taskId: string;
      };
      expect((await taskFinished(backend, taskId)).error).toBeUndefined();
    };
    expect((await list()).map((s) => s.name).sort()).toEqual([...SNAPSHOTS].sort());
    expect((await list()).find((s) => s.current)?.name).toBe(' sp  ace ');

    await act({ op: 'revert', name: '-rf' });
    expect(current()).toBe('-rf');
    await act({ op: 'revert', name: '--current' });
    expect(current()).toBe('--current');
    for (const s of ['--snapshotname=victim', '-rf', '--current', ' sp  ace ']) {
      await act({ op: 'delete', name: s });
      expect(onNode()).not.toContain(s);
    }
    expect(onNode()).toEqual(['victim']);
    expect((await list()).map((s) => s.name)).toEqual(['victim']);
  });
});
