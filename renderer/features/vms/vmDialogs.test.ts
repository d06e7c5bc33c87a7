import { describe, expect, it } from 'vitest';
import type { Host } from '../../../shared/model';
import { VM_DIALOG_NEEDS, offersDialog } from './vmActions';

const host = (capabilities?: Host['capabilities']): Host => ({
  id: 'h1',
  name: 'node1',
  address: '127.0.0.21',
  port: 22,
  user: 'root',
  auth: 'key',
  state: 'connected',
  ...(capabilities ? { capabilities } : {}),
});

describe('VM dialogs by capability', () => {
  it('offers a dialog only where the node’s stack offers what it needs', () => {
    const all = host(['vm-edit', 'migration', 'vm-clone', 'vm-delete']);
    for (const kind of Object.keys(VM_DIALOG_NEEDS) as (keyof typeof VM_DIALOG_NEEDS)[])
      expect(offersDialog(all, kind)).toBe(true);
    const noMigration = host(['vm-edit', 'vm-clone', 'vm-create']);
    expect(offersDialog(noMigration, 'migrate')).toBe(false);
    expect(offersDialog(noMigration, 'settings')).toBe(true);
    // Ganeti's first slice: lifecycle and Delete, nothing else.
    const ganeti = host(['inventory', 'vm-lifecycle', 'vm-delete']);
    expect(offersDialog(ganeti, 'delete')).toBe(true);
    expect(offersDialog(ganeti, 'settings')).toBe(false);
  });

  it('offers nothing before a driver has said what it can do, or without a host', () => {
    expect(offersDialog(host(), 'settings')).toBe(false);
    expect(offersDialog(undefined, 'delete')).toBe(false);
  });
});
