// New Storage Pool's types on Proxmox VE: each storage plugin's options as
// POST /storage takes them (names, formats and the required ones as the
// plugins declare them, checked against the pinned API schema of PVE 8 and 9
// by test/proxmox/storage-sim.test.ts), the content each may hold and its
// default, whether it is shared by nature, and the scan that fills it.
// GlusterFS is offered on PVE 8 only: PVE 9 dropped the plugin.
import type { StorageField, StorageTypeInfo } from '../../../shared/storage-api';

const SERVER = '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\\[?[0-9A-Fa-f:.]+\\]?$';
const SERVER_MSG = 'A host name or IP address.';
const PATH = '^/[^\\0]*$';
const PATH_MSG = 'An absolute path, starting with /.';
const VG = '^[A-Za-z0-9.+_][A-Za-z0-9.+_-]+$';
const VG_MSG = 'Letters, digits and . + _ - (at least 2).';

const text = (
  name: string,
  label: string,
  required: boolean,
  extra: Partial<StorageField> = {},
): StorageField => ({ name, label, kind: 'text', required, ...extra });
const secret = (name: string, label: string): StorageField => ({
  name,
  label,
  kind: 'password',
  required: false,
});
const flag = (name: string, label: string): StorageField => ({
  name,
  label,
  kind: 'boolean',
  required: false,
});

const server = (label = 'Server') =>
  text('server', label, true, { pattern: SERVER, patternMessage: SERVER_MSG, hint: '192.0.2.50' });

const FILE_CONTENT: StorageTypeInfo['contents'] = [
  'images',
  'rootdir',
  'iso',
  'vztmpl',
  'backup',
  'snippets',
  'import',
];

/** Every type Clusterdeck offers, in the order the wizard lists them. */
const TYPES: StorageTypeInfo[] = [
  {
    type: 'dir',
    label: 'Directory',
    fields: [
      text('path', 'Directory on the nodes', true, {
        pattern: PATH,
        patternMessage: PATH_MSG,
        hint: '/mnt/data',
      }),
    ],
    contents: FILE_CONTENT,
    defaultContent: ['images', 'rootdir'],
    shared: 'choice',
  },
  {
    type: 'nfs',
    label: 'NFS',
    fields: [
      server(),
      text('export', 'Export', true, {
        pattern: PATH,
        patternMessage: PATH_MSG,
        hint: '/mnt/tank/vms',
      }),
      text('options', 'Mount options (optional)', false, { hint: 'vers=4.2' }),
    ],
    contents: FILE_CONTENT,
    defaultContent: ['images'],
    shared: 'always',
    scan: { kind: 'nfs', needs: ['server'] },
  },
  {
    type: 'cifs',
    label: 'SMB/CIFS',
    fields: [
      server(),
      text('share', 'Share', true, { hint: 'isos' }),
      text('username', 'User name (optional)', false),
      secret('password', 'Password (optional)'),
      text('domain', 'Domain (optional)', false),
      {
        name: 'smbversion',
        label: 'SMB version',
        kind: 'select',
        required: false,
        choices: ['default', '3', '3.0', '3.11', '2.1', '2.0'],
      },
      text('subdir', 'Subdirectory (optional)', false, {
        pattern: PATH,
        patternMessage: PATH_MSG,
      }),
    ],
    contents: FILE_CONTENT,
    defaultContent: ['images'],
    shared: 'always',
    scan: { kind: 'cifs', needs: ['server'] },
  },
  {
    type: 'iscsi',
    label: 'iSCSI',
    fields: [
      text('portal', 'Portal', true, {
        pattern: '^[A-Za-z0-9.:\\[\\]-]+$',
        patternMessage: 'An address, with :port if not 3260.',
        hint: '192.0.2.60',
      }),
      text('target', 'Target', true, { hint: 'iqn.2005-10.org.freenas.ctl:vms' }),
    ],
    contents: ['images', 'none'],
    defaultContent: ['images'],
    shared: 'always',
    scan: { kind: 'iscsi', needs: ['portal'] },
  },
  {
    type: 'lvm',
    label: 'LVM',
    fields: [
      text('vgname', 'Volume group', true, { pattern: VG, patternMessage: VG_MSG }),
      flag('saferemove', 'Wipe removed volumes'),
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images'],
    shared: 'choice',
    scan: { kind: 'lvm', needs: [] },
  },
  {
    type: 'lvmthin',
    label: 'LVM-Thin',
    fields: [
      text('vgname', 'Volume group', true, { pattern: VG, patternMessage: VG_MSG }),
      text('thinpool', 'Thin pool', true, { pattern: VG, patternMessage: VG_MSG }),
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images', 'rootdir'],
    shared: 'never',
    scan: { kind: 'lvmthin', needs: ['vgname'] },
  },
  {
    type: 'zfspool',
    label: 'ZFS',
    fields: [
      text('pool', 'ZFS pool or dataset', true, {
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$',
        patternMessage: 'A pool or dataset name, as rpool/data.',
      }),
      text('blocksize', 'Block size (optional)', false, { hint: '16k' }),
      flag('sparse', 'Thin provisioning'),
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images', 'rootdir'],
    shared: 'never',
    scan: { kind: 'zfs', needs: [] },
  },
  {
    type: 'rbd',
    label: 'Ceph RBD',
    fields: [
      text('monhost', 'Monitors (empty: this cluster’s own Ceph)', false, {
        hint: '192.0.2.21 192.0.2.22',
      }),
      text('pool', 'Ceph pool', false, { hint: 'rbd' }),
      text('username', 'Ceph user (optional)', false, { hint: 'admin' }),
      secret('keyring', 'Keyring (external Ceph)'),
      flag('krbd', 'Use the kernel RBD driver (krbd)'),
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images'],
    shared: 'always',
  },
  {
    type: 'cephfs',
    label: 'CephFS',
    fields: [
      text('monhost', 'Monitors (empty: this cluster’s own Ceph)', false),
      text('fs-name', 'File system (optional)', false, { hint: 'cephfs' }),
      text('username', 'Ceph user (optional)', false),
      secret('keyring', 'Secret key (external Ceph)'),
      flag('fuse', 'Mount through FUSE'),
    ],
    contents: ['vztmpl', 'iso', 'backup', 'snippets', 'import'],
    defaultContent: ['backup'],
    shared: 'always',
  },
  {
    type: 'glusterfs',
    label: 'GlusterFS',
    fields: [
      server(),
      text('server2', 'Second server (optional)', false, {
        pattern: SERVER,
        patternMessage: SERVER_MSG,
      }),
      text('volume', 'Volume', true),
      {
        name: 'transport',
        label: 'Transport',
        kind: 'select',
        required: false,
        choices: ['tcp', 'rdma', 'unix'],
      },
    ],
    contents: ['images', 'vztmpl', 'iso', 'backup', 'snippets'],
    defaultContent: ['images'],
    shared: 'always',
    scan: { kind: 'glusterfs', needs: ['server'] },
  },
];

/** The types a node of this major release has (PVE 9 dropped GlusterFS). */
export function storageTypes(major: number | undefined): StorageTypeInfo[] {
  return TYPES.filter((t) => t.type !== 'glusterfs' || (major ?? 9) < 9);
}

/** Parameters whose values are secrets: never shown nor logged. */
export const SECRET_FIELDS: readonly string[] = ['password', 'keyring'];
