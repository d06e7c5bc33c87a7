import { describe, expect, it } from 'vitest';
import type { StoragePool, Vm } from '../../../shared/model';
import { vmChangeSchema, type VmChangeInput } from '../../../shared/vm-change';
import { quoteArgv } from '../../ssh/quote';
import { descriptionArgv, vmChangePlan, type ChangeContext } from './vm-change';

const UUID = '11111111-2222-3333-4444-555555555555';
const vm = (over: Partial<Vm> = {}): Vm => ({
  id: 'h:vm:' + UUID,
  hostId: 'h',
  uuid: UUID,
  name: 'web',
  state: 'running',
  vcpus: 1,
  memoryKiB: 65536,
  autostart: false,
  persistent: true,
  disks: [
    { target: 'vda', device: 'disk', bus: 'virtio', source: '/img/web.qcow2' },
    { target: 'hdc', device: 'cdrom', bus: 'ide', source: '/img/a.iso', readonly: true },
  ],
  nics: [{ type: 'user', source: '', mac: '52:54:00:00:00:01', model: 'virtio' }],
  graphics: [],
  textConsoles: [],
  ...over,
});
const pool: StoragePool = {
  id: 'h:pool:p',
  hostId: 'h',
  uuid: 'pool-uuid',
  name: 'images',
  type: 'dir',
  state: 'running',
  autostart: true,
  capacity: 1e10,
  allocation: 0,
  available: 1e10,
  targetPath: '/img',
  volumes: [
    {
      name: 'web.qcow2',
      path: '/img/web.qcow2',
      type: 'file',
      format: 'qcow2',
      capacity: 2 ** 24,
      allocation: 0,
    },
    {
      name: 'a.iso',
      path: '/img/a.iso',
      type: 'file',
      format: 'iso',
      capacity: 2 ** 20,
      allocation: 0,
    },
    {
      name: '--b.iso',
      path: '/img/--b.iso',
      type: 'file',
      format: 'iso',
      capacity: 2 ** 20,
      allocation: 0,
    },
  ],
};
const cx = (v: Vm, capacity?: number): ChangeContext => ({
  node: 'node1',
  pools: [pool],
  vms: [v],
  ...(capacity !== undefined ? { capacity } : {}),
});
const plan = (v: Vm, change: VmChangeInput, capacity?: number) =>
  vmChangePlan(v, vmChangeSchema.parse(change), cx(v, capacity));
const commands = (p: ReturnType<typeof plan>) => p.steps.map((s) => quoteArgv(s.argv));
const V = 'virsh -c qemu:///system';

describe('VM changes that act at once', () => {
  it('changes the CD/DVD live and in the definition, with the old medium as Undo', () => {
    const p = plan(vm(), {
      op: 'media',
      target: 'hdc',
      source: { poolId: pool.id, volume: '--b.iso' },
    });
    expect(p.problems).toEqual([]);
    // The name that looks like an option is the value of --source.
    expect(commands(p)).toEqual([
      `${V} change-media --domain ${UUID} --path hdc --source /img/--b.iso --update --live --config`,
    ]);
    expect(quoteArgv(p.steps[0]!.undoStep!.argv)).toBe(
      `${V} change-media --domain ${UUID} --path hdc --source /img/a.iso --update --live --config`,
    );
    expect(p.note).toMatch(/running: the new medium takes effect now/);
  });

  it('ejects from a shut-off VM’s definition only; Undo puts the medium back', () => {
    const p = plan(vm({ state: 'shutoff' }), { op: 'media', target: 'hdc' });
    expect(commands(p)).toEqual([`${V} change-media --domain ${UUID} --path hdc --eject --config`]);
    expect(p.steps[0]!.undoStep!.argv).toContain('/img/a.iso');
  });

  it('refuses a drive that is not there, an empty eject, a non-ISO and the same medium', () => {
    expect(plan(vm(), { op: 'media', target: 'hdd' }).problems).toEqual([
      'web has no CD/DVD drive hdd.',
    ]);
    const empty = vm({ disks: [{ target: 'hdc', device: 'cdrom', bus: 'ide', source: '' }] });
    expect(plan(empty, { op: 'media', target: 'hdc' }).problems).toEqual(['hdc of web is empty.']);
    const src = (volume: string) => ({ poolId: pool.id, volume });
    expect(
      plan(vm(), { op: 'media', target: 'hdc', source: src('web.qcow2') }).problems[0],
    ).toMatch(/not an ISO image.*Choose an ISO image/);
    expect(plan(vm(), { op: 'media', target: 'hdc', source: src('a.iso') }).problems).toEqual([
      'a.iso is already in hdc of web.',
    ]);
  });

  it('grows a running VM’s disk online and a shut-off one’s through its pool; never shrinks', () => {
    const live = plan(vm(), { op: 'resize', target: 'vda', bytes: 2 ** 25 }, 2 ** 24);
    expect(commands(live)).toEqual([
      `${V} blockresize --domain ${UUID} --path vda --size 33554432B`,
    ]);
    expect(live.note).toMatch(/grows from 16\.0 MiB to 32\.0 MiB now/);
    expect(live.steps[0]!.undoStep).toBeUndefined();
    const off = plan(
      vm({ state: 'shutoff' }),
      { op: 'resize', target: 'vda', bytes: 2 ** 25 },
      2 ** 24,
    );
    expect(commands(off)).toEqual([
      `${V} vol-resize --pool pool-uuid --vol web.qcow2 --capacity 33554432`,
      `${V} pool-refresh pool-uuid`,
    ]);
    const shrink = plan(vm(), { op: 'resize', target: 'vda', bytes: 2 ** 23 }, 2 ** 24);
    expect(shrink.steps).toEqual([]);
    expect(shrink.problems[0]).toMatch(/^A disk only grows: vda is 16\.0 MiB, more than 8\.0 MiB/);
    expect(plan(vm(), { op: 'resize', target: 'hdc', bytes: 2 ** 25 }, 1).problems).toEqual([
      'web has no disk hdc.',
    ]);
    const outside = vm({
      state: 'shutoff',
      disks: [{ target: 'vda', device: 'disk', bus: 'virtio', source: '/elsewhere/x.img' }],
    });
    expect(
      plan(outside, { op: 'resize', target: 'vda', bytes: 2 ** 25 }, 2 ** 24).problems[0],
    ).toMatch(/is not a volume of a storage pool on node1/);
  });

  it('sets a link live and in the definition, with the opposite as Undo', () => {
    const mac = '52:54:00:00:00:01';
    const p = plan(vm(), { op: 'link', mac, state: 'down' });
    expect(commands(p)).toEqual([
      `${V} domif-setlink --domain ${UUID} --interface ${mac} --state down`,
      `${V} domif-setlink --domain ${UUID} --interface ${mac} --state down --config`,
    ]);
    expect(p.steps.map((s) => s.undoStep!.argv.includes('up'))).toEqual([true, true]);
    expect(plan(vm(), { op: 'link', mac, state: 'up' }).problems).toEqual([
      `The link of ${mac} is already up.`,
    ]);
    const transient = plan(vm({ persistent: false }), { op: 'link', mac, state: 'down' });
    expect(commands(transient)).toHaveLength(1);
  });

  it('writes the notes from standard input, so lines and option-like text stay text', () => {
    const p = plan(vm({ description: 'old' }), { op: 'description', text: '--help\r\nline two\n' });
    expect(p.steps[0]!.stdin).toBe('--help\nline two');
    expect(p.steps[0]!.argv).toEqual(descriptionArgv(vm()));
    expect(p.steps[0]!.argv.join(' ')).not.toContain('--help');
    expect(p.steps[0]!.argv[2]).toContain('desc --domain "$1" --live --config --new-desc "$(cat)"');
    expect(p.steps[0]!.undoStep!.stdin).toBe('old');
    expect(
      plan(vm({ description: 'same' }), { op: 'description', text: 'same\n' }).problems,
    ).toEqual(['The notes of web are unchanged.']);
    expect(descriptionArgv(vm({ state: 'shutoff' }))[2]).toContain('--config --new-desc');
    expect(vmChangeSchema.safeParse({ op: 'description', text: 'a\u0007' }).success).toBe(false);
  });
});
