// The node's disk and network counters, from NODE_IO_SCRIPT's output as a
// lab node printed it (fixtures/lab-node-io.txt), plus a made-up node with
// the stacked and virtual devices the lab machine does not have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteArgv } from '../../ssh/quote';
import { NODE_IO_ARGV, parseNodeIo } from './node-io';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('node disk and network counters', () => {
  it('sums the hardware disks and NICs a lab node lists, in bytes', () => {
    expect(parseNodeIo(fixture('lab-node-io.txt'))).toEqual({
      // vda: 92831282 sectors read, 52771224 written; loop* and zram0 left out.
      diskReadBytes: 92831282 * 512,
      diskWriteBytes: 52771224 * 512,
      // eth0 only: lo and the ifb shaping devices are not hardware.
      netRxBytes: 6100717743,
      netTxBytes: 24458245,
      disks: ['vda'],
      nics: ['eth0'],
    });
  });

  it('leaves out partitions, stacked disks, bridges and guest taps', () => {
    const out = [
      '@disks',
      'sda',
      'nvme0n1',
      '@nics',
      'eno1',
      '@diskstats',
      '   8       0 sda 10 0 100 0 20 0 200 0 0 0 0 0 0 0 0 0 0',
      '   8       1 sda1 10 0 100 0 20 0 200 0 0 0 0 0 0 0 0 0 0',
      ' 259       0 nvme0n1 1 0 1 0 2 0 2 0 0 0 0',
      ' 259       1 nvme0n1p1 1 0 1 0 2 0 2 0 0 0 0',
      ' 253       0 dm-0 10 0 100 0 20 0 200 0 0 0 0 0 0 0 0 0 0',
      '@netdev',
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets',
      '    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0',
      '  eno1:4000 4 0 0 0 0 0 0 3000 3 0 0 0 0 0 0',
      '   br0: 1000 1 0 0 0 0 0 0 1000 1 0 0 0 0 0 0',
      ' vnet0: 2000 2 0 0 0 0 0 0 2000 2 0 0 0 0 0 0',
      '',
    ].join('\n');
    expect(parseNodeIo(out)).toEqual({
      diskReadBytes: 101 * 512,
      diskWriteBytes: 202 * 512,
      netRxBytes: 4000,
      netTxBytes: 3000,
      disks: ['sda', 'nvme0n1'],
      nics: ['eno1'],
    });
  });

  it('reads nothing from an empty or failed reading', () => {
    expect(parseNodeIo('')).toMatchObject({ diskReadBytes: 0, netTxBytes: 0, disks: [], nics: [] });
  });

  it('is one line, so it can be sent as one remote argv', () => {
    expect(quoteArgv(NODE_IO_ARGV)).not.toMatch(/\n/);
  });
});
