// The Proxmox lab's stand-ins read arguments and print tables the way PVE's
// CLI does (the lab suite checks them end to end over SSH).
import { describe, expect, it } from 'vitest';
import { pveshCommand } from '../../core/drivers/proxmox/pvesh';
import { ArgError, parseArgs } from './tool-args';
import { failure, table, textOutput } from './tool-api';

describe('parseArgs', () => {
  it('reads positionals, --name value, --name=value, repeated names and format options', () => {
    const p = parseArgs(
      [
        '/nodes/pve1/qemu',
        '--vmid',
        '150',
        '--net0=virtio,bridge=vmbr0',
        '--tags',
        'a',
        '--tags',
        'b',
        '--output-format',
        'json',
        '--noborder',
      ],
      1,
    );
    expect(p.positional).toEqual(['/nodes/pve1/qemu']);
    expect(p.pairs).toEqual([
      ['vmid', '150'],
      ['net0', 'virtio,bridge=vmbr0'],
      ['tags', 'a'],
      ['tags', 'b'],
    ]);
    expect(p.format).toBe('json');
    expect(p.text).toEqual({ noborder: true });
  });

  it('takes a bare boolean as 1 and a value that starts with a dash as a value', () => {
    const p = parseArgs(['/x', '--force', '--delta', '-5', '--skiplock'], 1);
    expect(p.pairs).toEqual([
      ['force', '1'],
      ['delta', '-5'],
      ['skiplock', '1'],
    ]);
  });

  it('reads back what the driver writes as a pvesh command', () => {
    const cmd = pveshCommand('POST', '/nodes/pve1/qemu', { vmid: 150, name: 'web 01' });
    expect(cmd).toBe("pvesh create /nodes/pve1/qemu --vmid 150 --name 'web 01'");
    const p = parseArgs(['/nodes/pve1/qemu', '--vmid', '150', '--name', 'web 01'], 1);
    expect(p.pairs).toEqual([
      ['vmid', '150'],
      ['name', 'web 01'],
    ]);
  });

  it('refuses an unknown output format and a stray argument like PVE', () => {
    expect(() => parseArgs(['/x', '--output-format', 'xml'], 1)).toThrow(ArgError);
    expect(() => parseArgs(['/x', 'extra'], 1)).toThrow('400 too many arguments');
  });
});

describe('text output', () => {
  it('draws PVE’s bordered table', () => {
    expect(
      table(
        ['key', 'value'],
        [
          ['release', '9.1'],
          ['version', '9.1.1'],
        ],
      ),
    ).toBe(
      [
        '┌─────────┬───────┐',
        '│ key     │ value │',
        '╞═════════╪═══════╡',
        '│ release │ 9.1   │',
        '├─────────┼───────┤',
        '│ version │ 9.1.1 │',
        '└─────────┴───────┘',
        '',
      ].join('\n'),
    );
    expect(table(['a', 'b'], [['x', 1]], { noborder: true, noheader: true })).toBe('x 1\n');
  });

  it('shows an object as key/value rows, a list as one column per key, a scalar as itself', () => {
    expect(textOutput({ b: 2, a: { x: 1 } }, { noborder: true })).toBe(
      'key value\na   {"x":1}\nb   2\n',
    );
    expect(
      textOutput([{ node: 'pve1' }, { node: 'pve2', status: 'online' }], { noborder: true }),
    ).toBe('node status\npve1\npve2 online\n');
    expect(textOutput('UPID:pve1:x')).toBe('UPID:pve1:x\n');
    expect(textOutput(null)).toBe('');
  });

  it('prints a refused call as PVE’s CLI does', () => {
    expect(
      failure({
        status: 400,
        reason: 'Parameter verification failed.',
        data: null,
        errors: { vmid: 'invalid format - value does not look like a valid VM ID\n', cores: 'x' },
      }),
    ).toBe(
      '400 Parameter verification failed.\ncores: x\nvmid: invalid format - value does not look like a valid VM ID\n',
    );
    expect(
      failure({ status: 500, reason: 'x', data: null, message: 'Token already exists.\n' }),
    ).toBe('Token already exists.\n');
  });
});
