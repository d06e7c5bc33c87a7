// Parsers against outputs captured from real virsh runs (libvirt 9.0.0:
// the test:///default driver and the lab's QEMU nodes), kept in fixtures/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyValues, parseNetXml, parseNodeinfo, parseUuidList, yes } from './parse';
import { parseDomainXml, parseDomstate, parseSnapshotXml } from './parse-domain';
import { parseDomstats, parseMeminfo, parseNodeCpuStats } from './parse-stats';
import { parsePoolXml, parseVolumeXml, volListGuesses } from './parse-storage';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('libvirt parsers', () => {
  it('reads a domain definition', () => {
    const d = parseDomainXml(fixture('test-domain.xml'));
    expect(d.name).toBe('test');
    expect(d.uuid).toBe('6695eb01-f6a4-8304-79aa-97f2502e193f');
    expect(d.vcpus).toBe(2);
    expect(d.memoryKiB).toBe(2097152);
    expect(d.disks).toEqual([
      { target: 'vda', bus: 'virtio', device: 'disk', source: '/guest/diskimage1' },
    ]);
    expect(d.nics).toEqual([
      { type: 'network', source: 'default', mac: 'aa:bb:cc:dd:ee:ff', model: '' },
    ]);
    expect(d.graphics).toEqual([]);
    expect(d.textConsoles).toEqual([]);
  });

  it('reads the serial console and VNC display of a lab guest', () => {
    const d = parseDomainXml(fixture('lab-linux-domain.xml'));
    expect(d.name).toBe('lab-linux');
    expect(d.graphics).toEqual([{ type: 'vnc', listen: '127.0.0.1', port: 5901 }]);
    // The <console> that mirrors serial0 is not a second device.
    expect(d.textConsoles).toEqual([{ device: 'serial', type: 'pty', target: 'isa-serial' }]);
  });

  it('reads dominfo as key/values', () => {
    const kv = parseKeyValues(fixture('test-dominfo.txt'));
    expect(kv['UUID']).toBe('6695eb01-f6a4-8304-79aa-97f2502e193f');
    expect(yes(kv['Persistent'])).toBe(true);
    expect(yes(kv['Autostart'])).toBe(false);
    expect(kv['Security DOI']).toBe('');
  });

  it('maps domstate words', () => {
    expect(parseDomstate('running\n\n')).toBe('running');
    expect(parseDomstate('shut off\n')).toBe('shutoff');
    expect(parseDomstate('in shutdown\n')).toBe('shutdown');
    expect(parseDomstate('paused')).toBe('paused');
    expect(parseDomstate('something new')).toBe('unknown');
  });

  it('reads pools and volumes, names with spaces included', () => {
    const p = parsePoolXml(fixture('test-pool.xml'));
    expect(p.name).toBe('default-pool');
    expect(p.type).toBe('dir');
    expect(p.capacity).toBeGreaterThan(0);
    expect(p.ceph).toBeUndefined();
  });

  it('reads where a Ceph RBD pool keeps its images (a guest disk names them)', () => {
    expect(parsePoolXml(fixture('lab-rbd-pool.xml')).ceph).toEqual({
      pool: 'rbd',
      monitors: [
        { host: '10.0.0.11', port: 6789 },
        { host: '10.0.0.12', port: 6789 },
      ],
      auth: { user: 'libvirt', secretUuid: '11111111-2222-4333-a444-555555555555' },
    });
  });

  it('guesses each vol-list row’s name and path, hostile names too, and reads the XML', () => {
    // From the open virsh on a lab node, with files named as an attacker would.
    const rows = volListGuesses(fixture('lab-vol-list-hostile.txt'));
    const dir = '/var/lib/libvirt/tpool/';
    const exact = (name: string) => [{ name, path: dir + name }];
    expect(rows).toEqual([
      [{ name: ' sp ace  two', path: `${dir} sp ace  two ` }],
      exact('-'),
      exact('--'),
      exact('--pool=other'),
      exact('--vol=victim.img'),
      exact('-rf'),
      [
        { name: 'a', path: `b              ${dir}a   b` },
        { name: 'a   b', path: `${dir}a   b` },
        { name: `a   b              ${dir}a`, path: 'b' },
      ],
      exact("a'b"),
      exact('tab\\x09x'),
      exact('victim.img'),
      exact('x'),
      [{ name: 'x', path: `${dir}x ` }],
    ]);
    expect(parseVolumeXml(fixture('lab-vol.xml'))).toEqual({
      name: 'disk1.qcow2',
      path: '/work/main/.lab/dir-pool-node1/disk1.qcow2',
      type: 'file',
      format: 'qcow2',
      capacity: 16777216,
      allocation: 200704,
    });
  });

  it('reads networks and node info', () => {
    const n = parseNetXml(fixture('test-net.xml'));
    expect(n.name).toBe('default');
    expect(n.bridge).toBe('virbr0');
    const ni = parseNodeinfo(fixture('test-nodeinfo.txt'));
    expect(ni.cpus).toBeGreaterThan(0);
    expect(ni.memoryKiB).toBeGreaterThan(0);
  });

  it('reads node and VM load counters as virsh prints them', () => {
    const cpu = parseNodeCpuStats(fixture('lab-nodecpustats.txt'));
    expect(cpu.totalNs).toBe(6857970000000 + 3228690000000 + 22344640000000 + 142720000000);
    expect(cpu.busyNs).toBe(6857970000000 + 3228690000000);
    expect(parseMeminfo(fixture('lab-meminfo.txt'))).toEqual({
      totalBytes: 24683652 * 1024,
      freeBytes: 23415416 * 1024,
      availableBytes: 23680188 * 1024,
    });
    // A kernel without MemAvailable: free plus buffers and page cache.
    expect(
      parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n'),
    ).toEqual({ totalBytes: 1000 * 1024, freeBytes: 100 * 1024, availableBytes: 310 * 1024 });
    const doms = parseDomstats(fixture('lab-domstats.txt'));
    // What the guest was given, not the QEMU process's resident size (balloon.rss).
    expect(doms.get('lab-tiny-1')).toMatchObject({
      cpuNs: 1066853000,
      vcpus: 1,
      memGivenBytes: 65536 * 1024,
      memMaxBytes: 65536 * 1024,
    });
    expect(doms.get('lab-tiny-1')?.memUsedBytes).toBeUndefined();
    expect(doms.get('lab-tiny-2')).toMatchObject({ cpuNs: 270000000, memGivenBytes: 65536 * 1024 });
    // A guest whose balloon driver reports: what it uses, never more than it was given.
    const reporting = parseDomstats(
      "Domain: 'g'\n  state.state=1\n  balloon.current=131072\n  balloon.maximum=131072\n" +
        '  balloon.rss=248832\n  balloon.available=120000\n  balloon.unused=80000\n',
    ).get('g')!;
    expect(reporting).toMatchObject({
      running: true,
      memGivenBytes: 128 * 2 ** 20,
      memUsedBytes: 40000 * 1024,
    });
  });
});

describe('names from the node', () => {
  it('keep the spaces they begin or end with', () => {
    const vol = parseVolumeXml(
      `<volume type='file'>\n  <name> sp ace  two </name>\n  <key>/p/ sp ace  two </key>\n` +
        `  <capacity unit='bytes'>1048576</capacity>\n  <allocation unit='bytes'>4096</allocation>\n` +
        `  <target>\n    <path>/p/ sp ace  two </path>\n    <format type='raw'/>\n  </target>\n</volume>\n`,
    );
    expect(vol).toEqual({
      name: ' sp ace  two ',
      path: '/p/ sp ace  two ',
      type: 'file',
      format: 'raw',
      capacity: 1048576,
      allocation: 4096,
    });
    const snap = parseSnapshotXml(
      `<domainsnapshot>\n  <name> sp  ace </name>\n  <state>shutoff</state>\n` +
        `  <parent>\n    <name>--current</name>\n  </parent>\n  <creationTime>1700000000</creationTime>\n` +
        `  <domain type='qemu'>\n    <name>vm</name>\n  </domain>\n</domainsnapshot>\n`,
    );
    expect(snap).toEqual({
      name: ' sp  ace ',
      parent: '--current',
      description: '',
      createdAt: 1700000000,
      state: 'shutoff',
      disks: [],
    });
    // An external snapshot: the overlay it made is the VM's disk now; the
    // definition kept with it names the base, which a revert needs.
    const external = parseSnapshotXml(
      `<domainsnapshot><name>before</name><state>running</state>` +
        `<disks><disk name='vda' snapshot='external' type='file'><source file='/img/db.before'/></disk></disks>` +
        `<domain type='kvm'><name>db</name><devices>` +
        `<disk type='file' device='disk'><source file='/img/db.qcow2'/><target dev='vda' bus='virtio'/></disk>` +
        `<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>` +
        `</devices></domain></domainsnapshot>`,
    );
    expect(external.disks).toEqual([
      { target: 'vda', bus: 'virtio', device: 'disk', source: '/img/db.qcow2' },
    ]);
    expect(external.storage).toBe('external');
    const withMemory = parseSnapshotXml(
      `<domainsnapshot><name>m</name><state>running</state><memory snapshot='internal'/>` +
        `<disks><disk name='vda' snapshot='internal'/></disks></domainsnapshot>`,
    );
    expect(withMemory).toMatchObject({ storage: 'internal', memory: true });
  });
});

describe('UUID lists', () => {
  it('keep only what has a UUID’s shape', () => {
    expect(
      parseUuidList(
        '11111111-2222-4333-a444-555555555555\n--help\n\n AAAAAAAA-2222-4333-A444-555555555555 \nx\n',
      ),
    ).toEqual(['11111111-2222-4333-a444-555555555555', 'AAAAAAAA-2222-4333-A444-555555555555']);
  });
});
