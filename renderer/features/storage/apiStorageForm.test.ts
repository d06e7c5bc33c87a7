import { describe, expect, it } from 'vitest';
import type { StorageTypeInfo } from '../../../shared/storage-api';
import { apiFormErrors, initialApiForm, toStorageSpec } from './apiStorageForm';

const nfs: StorageTypeInfo = {
  type: 'nfs',
  label: 'NFS',
  fields: [
    { name: 'server', label: 'Server', kind: 'text', required: true, pattern: '^[a-z0-9.]+$' },
    { name: 'export', label: 'Export', kind: 'text', required: true },
    { name: 'options', label: 'Mount options', kind: 'text', required: false },
  ],
  contents: ['images', 'iso'],
  defaultContent: ['images'],
  shared: 'always',
  scan: { kind: 'nfs', needs: ['server'] },
};

describe('the storage-api form', () => {
  it('starts with the type’s default content and asks for the id and required fields', () => {
    const f = initialApiForm(nfs);
    expect(f.content).toEqual(['images']);
    expect(Object.keys(apiFormErrors(f, nfs)).sort()).toEqual(['export', 'server', 'storage']);
  });

  it('checks a field against its pattern and sends only the type’s own, non-empty fields', () => {
    const f = {
      ...initialApiForm(nfs),
      storage: 'nas-iso',
      values: { server: 'NAS!', export: ' /mnt/tank/iso ', options: '', vgname: 'pve' },
    };
    expect(apiFormErrors(f, nfs)).toEqual({ server: 'Not a valid value.' });
    const ok = { ...f, values: { ...f.values, server: '192.0.2.50' } };
    expect(apiFormErrors(ok, nfs)).toEqual({});
    expect(toStorageSpec(ok, nfs)).toEqual({
      storage: 'nas-iso',
      type: 'nfs',
      values: { server: '192.0.2.50', export: '/mnt/tank/iso' },
      content: ['images'],
      nodes: [],
    });
  });
});
