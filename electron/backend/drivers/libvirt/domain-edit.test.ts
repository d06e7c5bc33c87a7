import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definitionDiff, editDomainXml, maskSecrets } from './domain-edit';
import { parseDomainXml } from './parse';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const base = { removeDisks: [], removeNics: [], addDisks: [], addNics: [], autostart: false };

describe('editing a domain definition', () => {
  it('changes CPUs, memory, boot order and devices, and nothing else', () => {
    const before = fixture('test-domain.xml');
    const after = editDomainXml(before, {
      ...base,
      vcpus: 4,
      memoryMiB: 512,
      bootOrder: ['cdrom', 'hd'],
      removeNics: ['aa:bb:cc:dd:ee:ff'],
    });
    const d = parseDomainXml(after);
    expect(d.vcpus).toBe(4);
    expect(d.memoryKiB).toBe(512 * 1024);
    expect(d.nics).toEqual([]);
    expect(d.disks).toEqual(parseDomainXml(before).disks);
    expect(after).toMatch(/<boot dev="cdrom"\/>\s*<boot dev="hd"\/>/);
    const diff = definitionDiff('test', before, after);
    expect(diff).toContain('-  <vcpu placement=');
    expect(diff).toMatch(
      /\+\s+<vcpu placement='static'>4<\/vcpu>|\+\s+<vcpu placement="static">4<\/vcpu>/,
    );
    expect(diff).toContain('aa:bb:cc:dd:ee:ff');
  });

  it('leaves a kernel boot without a boot order, and detaches a disk', () => {
    const before = fixture('lab-linux-domain.xml');
    const after = editDomainXml(before, {
      ...base,
      vcpus: 1,
      memoryMiB: 128,
      bootOrder: ['cdrom'],
      removeDisks: ['vda'],
    });
    const boots = (x: string) => x.match(/<boot [^>]*>/g)?.length ?? 0;
    expect(boots(after)).toBe(boots(before));
    expect(after).not.toContain('cdrom');
    expect(parseDomainXml(after).disks).toEqual([]);
  });

  it('adds disks under the next free name on the VM’s bus, and NICs with its model', () => {
    const before = fixture('test-domain.xml');
    const was = parseDomainXml(before);
    const after = editDomainXml(
      before,
      { ...base, vcpus: was.vcpus, memoryMiB: was.memoryKiB / 1024 },
      {
        disks: [
          { pool: 'images', volume: 'data.qcow2', format: 'qcow2' },
          {
            pool: 'ceph',
            volume: 'img',
            format: 'raw',
            ceph: {
              pool: 'rbd',
              monitors: [{ host: 'mon1', port: 6789 }],
              auth: { user: 'libvirt', secretUuid: '11111111-2222-4333-a444-555555555555' },
            },
          },
        ],
        nics: [{ kind: 'bridge', name: 'br0' }],
      },
    );
    const d = parseDomainXml(after);
    const bus = was.disks.find((x) => x.device === 'disk')!.bus;
    const used = new Set(was.disks.map((x) => x.target));
    const added = d.disks.slice(was.disks.length);
    expect(added.map((x) => [x.bus, x.source])).toEqual([
      [bus, 'data.qcow2'],
      [bus, 'rbd/img'],
    ]);
    for (const x of added) expect(used.has(x.target)).toBe(false);
    expect(added[0]!.target).not.toBe(added[1]!.target);
    expect(after).toMatch(/<source pool="images" volume="data.qcow2"\/>/);
    expect(after).toMatch(/<secret type="ceph" uuid="11111111-2222-4333-a444-555555555555"\/>/);
    const nic = d.nics.at(-1)!;
    expect([nic.type, nic.source, nic.model]).toEqual([
      'bridge',
      'br0',
      was.nics[0]?.model || 'virtio',
    ]);
  });

  it('never shows a VNC password', () => {
    expect(maskSecrets(`<graphics type='vnc' passwd='s3cret!x'/>`)).toBe(
      `<graphics type='vnc' passwd='••••••'/>`,
    );
  });
});
