import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneDomainXml, definitionDiff, editDomainXml, maskSecrets } from './domain-edit';
import { parseDomainXml } from './parse-domain';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const base = {
  removeDisks: [],
  removeNics: [],
  nicModels: [],
  addCdrom: false,
  addDisks: [],
  addNics: [],
  autostart: false,
};

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
      `<graphics type="vnc" passwd="••••••"/>`,
    );
  });
});

describe('VNC passwords with quotes, ampersands and angle brackets', () => {
  // As libvirt writes them (it escapes ' " & < in attributes), one per character to try.
  const PASSWORDS: [shown: string, inXml: string][] = [
    ["qu'ux", 'qu&apos;ux'],
    ['qu"ux', 'qu&quot;ux'],
    ['qu&ux', 'qu&amp;ux'],
    ['qu<ux', 'qu&lt;ux'],
    [`qu'"&<>ux`, 'qu&apos;&quot;&amp;&lt;&gt;ux'],
  ];
  const domain = (inXml: string) =>
    `<domain type='kvm'>\n  <name>pw</name>\n  <uuid>11111111-2222-4333-a444-555555555555</uuid>\n` +
    `  <memory unit='KiB'>65536</memory>\n  <vcpu placement='static'>1</vcpu>\n` +
    `  <os><type arch='x86_64'>hvm</type></os>\n  <devices>\n` +
    `    <disk type='file' device='disk'><source file='/p/pw.qcow2'/><target dev='vda' bus='virtio'/></disk>\n` +
    `    <graphics type='vnc' port='-1' autoport='yes' passwd='${inXml}'/>\n` +
    `    <graphics type='spice' autoport='yes' passwd='${inXml}'/>\n  </devices>\n</domain>\n`;
  /** Every way the password could appear in text: raw, or as either serializer escapes it. */
  const forms = (p: string) => [
    p,
    p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'),
    p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;'),
  ];

  it('masks them in the settings diff', () => {
    for (const [pw, inXml] of PASSWORDS) {
      const before = domain(inXml);
      // Detaching the disk puts the graphics lines in the diff's context.
      const after = editDomainXml(before, {
        ...base,
        vcpus: 2,
        memoryMiB: 64,
        removeDisks: ['vda'],
      });
      // The edited document keeps the password (it is what libvirt gets).
      expect(after).toContain('passwd=');
      const diff = definitionDiff('pw', before, after);
      expect(diff).toContain('<vcpu placement="static">2</vcpu>');
      for (const f of forms(pw)) expect(diff).not.toContain(f);
      expect(diff).not.toMatch(/qu.{0,30}ux/);
      expect(diff.match(/passwd="••••••"/g)).toHaveLength(2);
    }
  });

  it('masks them in the clone’s definition as shown', () => {
    for (const [pw, inXml] of PASSWORDS) {
      const copies = new Map([['vda', { pool: 'images', volume: 'copy-vda.qcow2' }]]);
      const clone = cloneDomainXml(domain(inXml), 'copy', copies);
      const shown = maskSecrets(clone);
      for (const f of forms(pw)) expect(shown).not.toContain(f);
      expect(shown).not.toMatch(/qu.{0,30}ux/);
      expect(shown.match(/passwd="••••••"/g)).toHaveLength(2);
      expect(shown).toContain('<source pool="images" volume="copy-vda.qcow2"/>');
    }
  });

  it('shows nothing of a document it cannot read', () => {
    expect(maskSecrets(`<graphics passwd='x'`)).toMatch(/^\(not shown/);
  });
});

describe('NIC models and the facts read back', () => {
  it('sets a NIC’s model, adding <model> where it had none, and reads notes and link state', () => {
    const xml = `<domain type='kvm'>
  <name>n</name>
  <description>two
 lines &amp; --help</description>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:00:00:01'/>
      <source network='default'/>
      <model type='virtio'/>
      <link state='down'/>
    </interface>
    <interface type='user'>
      <mac address='52:54:00:00:00:02'/>
    </interface>
  </devices>
</domain>`;
    const before = parseDomainXml(xml);
    expect(before.description).toBe('two\n lines & --help');
    expect(before.nics.map((n) => [n.model, n.link])).toEqual([
      ['virtio', 'down'],
      ['', undefined],
    ]);
    const after = editDomainXml(xml, {
      ...base,
      vcpus: 1,
      memoryMiB: 64,
      nicModels: [
        { mac: '52:54:00:00:00:01', model: 'e1000' },
        { mac: '52:54:00:00:00:02', model: 'rtl8139' },
      ],
    });
    expect(parseDomainXml(after).nics.map((n) => n.model)).toEqual(['e1000', 'rtl8139']);
    // Everything else stays: the link state, the source, the notes.
    expect(parseDomainXml(after).nics[0]!.link).toBe('down');
    expect(parseDomainXml(after).description).toBe(before.description);
    expect(after).toMatch(/<mac address="52:54:00:00:00:02"\/>\s*<model type="rtl8139"\/>/);
  });

  it('adds an empty CD/DVD drive: IDE on i440fx, SATA on q35, under a free name', () => {
    const xml = (machine: string) =>
      `<domain><os><type machine='${machine}'>hvm</type></os><devices>
    <disk type='file' device='disk'><source file='/a'/><target dev='hda' bus='ide'/></disk>
  </devices></domain>`;
    const pc = parseDomainXml(
      editDomainXml(xml('pc-i440fx-7.2'), { ...base, vcpus: 1, memoryMiB: 64, addCdrom: true }),
    );
    expect(pc.disks[1]).toEqual({
      target: 'hdb',
      bus: 'ide',
      device: 'cdrom',
      source: '',
      readonly: true,
    });
    const q35 = parseDomainXml(
      editDomainXml(xml('pc-q35-7.2'), { ...base, vcpus: 1, memoryMiB: 64, addCdrom: true }),
    );
    expect(q35.disks[1]).toMatchObject({ target: 'sda', bus: 'sata', device: 'cdrom' });
  });
});
