import { describe, expect, it } from 'vitest';
import { formEncode, paramPairs, pveshCommand } from './pvesh';

describe('pveshCommand', () => {
  it('names the verb pvesh uses for each method', () => {
    expect(pveshCommand('POST', '/nodes/pve1/qemu/100/status/start')).toBe(
      'pvesh create /nodes/pve1/qemu/100/status/start',
    );
    expect(pveshCommand('GET', '/cluster/resources', { type: 'vm' })).toBe(
      'pvesh get /cluster/resources --type vm',
    );
    expect(pveshCommand('PUT', '/nodes/pve1/qemu/100/config', { memory: 2048 })).toBe(
      'pvesh set /nodes/pve1/qemu/100/config --memory 2048',
    );
    expect(
      pveshCommand('DELETE', '/nodes/pve1/tasks/UPID:pve1:0000ABCD:qmstart:100:root@pam:'),
    ).toBe('pvesh delete /nodes/pve1/tasks/UPID:pve1:0000ABCD:qmstart:100:root@pam:');
  });

  it('quotes values as the app quotes shell arguments', () => {
    expect(
      pveshCommand('POST', '/nodes/pve1/qemu', {
        vmid: 101,
        name: 'web 1',
        description: "it's mine",
        net0: 'virtio,bridge=vmbr0',
        tags: 'a;b',
        empty: '',
        glob: '*',
        dollar: '$HOME',
      }),
    ).toBe(
      "pvesh create /nodes/pve1/qemu --vmid 101 --name 'web 1' --description 'it'\\''s mine' --net0 virtio,bridge=vmbr0 --tags 'a;b' --empty '' --glob '*' --dollar '$HOME'",
    );
  });

  it("writes a value with a line break as bash's $'…' instead of refusing it", () => {
    expect(pveshCommand('PUT', '/nodes/pve1/qemu/100/config', { description: "a\nb's\\c\t" })).toBe(
      "pvesh set /nodes/pve1/qemu/100/config --description $'a\\nb\\'s\\\\c\\t'",
    );
  });

  it('shows booleans as 1/0, repeats a list, leaves out unset values, hides secrets', () => {
    expect(
      pveshCommand(
        'POST',
        '/nodes/pve1/lxc',
        {
          start: true,
          unprivileged: false,
          skip: undefined,
          ssh: ['k1', 'k2'],
          password: 'hunter 2',
        },
        ['password'],
      ),
    ).toBe(
      'pvesh create /nodes/pve1/lxc --start 1 --unprivileged 0 --ssh k1 --ssh k2 --password <hidden>',
    );
  });

  it('refuses a path or a parameter name that is not the API’s', () => {
    expect(() => pveshCommand('GET', 'cluster/resources')).toThrow(/Not a Proxmox API path/);
    expect(() => pveshCommand('GET', '/nodes/../etc')).toThrow(/Not a Proxmox API path/);
    expect(() => pveshCommand('GET', '/cluster/resources?type=vm')).toThrow(
      /Not a Proxmox API path/,
    );
    expect(() => pveshCommand('GET', '/nodes/a b')).toThrow(/Not a Proxmox API path/);
    expect(() => pveshCommand('GET', '/version', { '--evil': 1 })).toThrow(/parameter/);
    expect(pveshCommand('GET', '/')).toBe('pvesh get /');
  });
});

describe('form encoding', () => {
  it('encodes what pveproxy reads, in the given order', () => {
    expect(formEncode({ name: 'web 1', tags: 'a;b', force: true, n: 3 })).toBe(
      'name=web+1&tags=a%3Bb&force=1&n=3',
    );
    expect(paramPairs({ a: ['x', 2], b: undefined })).toEqual([
      ['a', 'x'],
      ['a', '2'],
    ]);
    expect(formEncode()).toBe('');
  });
});
