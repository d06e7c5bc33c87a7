import { describe, expect, it } from 'vitest';
import { emptyInventory, type Inventory, type Vm } from '../../../shared/model';
import { filterRows, hideClosed, parseFilter } from './treeFilter';
import { buildRows } from './treeModel';

function inventory(): Inventory {
  const inv = emptyInventory();
  const host = {
    address: '192.0.2.1',
    port: 22,
    user: 'root',
    auth: 'agent',
    state: 'connected',
  } as const;
  inv.hosts['h1'] = { ...host, id: 'h1', name: 'node1' };
  inv.hosts['h2'] = { ...host, id: 'h2', name: 'node2' };
  const vm = (id: string, hostId: string, name: string, state: Vm['state']): Vm => ({
    id,
    hostId,
    uuid: `u-${id}`,
    name,
    state,
    vcpus: 1,
    memoryKiB: 1,
    autostart: false,
    persistent: true,
    disks: [],
    nics: [],
    graphics: [],
    textConsoles: [],
  });
  inv.vms['v1'] = vm('v1', 'h1', 'lab-tiny-1', 'running');
  inv.vms['v2'] = vm('v2', 'h1', 'lab-tiny-2', 'shutoff');
  inv.vms['v3'] = { ...vm('v3', 'h2', 'Web-Tiny', 'running'), tags: ['Web', 'prod'] };
  inv.vms['v4'] = { ...vm('v4', 'h2', 'x-db', 'shutoff'), tags: ['prod'] };
  return inv;
}

const allRows = () => buildRows(inventory(), () => true, 0);
const names = (text: string) => filterRows(allRows(), parseFilter(text)).map((r) => r.label);

describe('tree filter', () => {
  it('splits words and state tokens, ignoring case and an unfinished "state:"', () => {
    expect(parseFilter('  Tiny  STATE:Running state: ')).toEqual({
      words: ['tiny'],
      states: ['running'],
      tags: [],
    });
    expect(parseFilter('')).toEqual({ words: [], states: [], tags: [] });
    expect(parseFilter('TAG:Web tag: x')).toEqual({ words: ['x'], states: [], tags: ['web'] });
  });

  it('tag tokens keep the VMs that have every tag, any case', () => {
    expect(names('tag:prod')).toEqual(['Clusterdeck', 'node2', 'VMs', 'Web-Tiny', 'x-db']);
    expect(names('tag:prod tag:WEB')).toEqual(['Clusterdeck', 'node2', 'VMs', 'Web-Tiny']);
    expect(names('tag:prod state:shutoff')).toEqual(['Clusterdeck', 'node2', 'VMs', 'x-db']);
    expect(names('tag:none')).toEqual([]);
  });

  it('an empty filter keeps every row', () => {
    expect(filterRows(allRows(), parseFilter('   '))).toEqual(allRows());
  });

  it('keeps the items whose name contains the text, with their ancestors', () => {
    expect(names('tiny-2')).toEqual(['Clusterdeck', 'node1', 'VMs', 'lab-tiny-2']);
    // Case-insensitive, on both nodes; group rows never match by themselves.
    expect(names('TINY')).toEqual([
      'Clusterdeck',
      'node1',
      'VMs',
      'lab-tiny-1',
      'lab-tiny-2',
      'node2',
      'VMs',
      'Web-Tiny',
    ]);
    expect(names('vms')).toEqual([]);
    // A node matches by its name; it shows expanded, so with what is under it.
    expect(names('node2').slice(0, 4)).toEqual(['Clusterdeck', 'node2', 'VMs', 'Web-Tiny']);
    expect(names('node2')).not.toContain('node1');
  });

  it('state tokens keep only VMs in one of those states', () => {
    expect(names('state:running')).toEqual([
      'Clusterdeck',
      'node1',
      'VMs',
      'lab-tiny-1',
      'node2',
      'VMs',
      'Web-Tiny',
    ]);
    expect(names('state:shutoff lab')).toEqual(['Clusterdeck', 'node1', 'VMs', 'lab-tiny-2']);
    expect(names('state:running state:shutoff lab')).toEqual([
      'Clusterdeck',
      'node1',
      'VMs',
      'lab-tiny-1',
      'lab-tiny-2',
    ]);
    expect(names('state:nonsense')).toEqual([]);
    expect(names('node1 state:running')).toEqual([]);
  });

  it('hides what is below a row closed while filtering', () => {
    const filtered = filterRows(allRows(), parseFilter('tiny'));
    const shown = hideClosed(filtered, (key) => key !== 'host:h1');
    expect(shown.map((r) => r.label)).toEqual(['Clusterdeck', 'node1', 'node2', 'VMs', 'Web-Tiny']);
    expect(hideClosed(filtered, () => true)).toEqual(filtered);
  });
});
