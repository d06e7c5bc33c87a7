// The lab's storage servers and disks as the simulated nodes see them: an
// NFS/CIFS filer with exports and shares, an iSCSI portal with targets, a
// Gluster server (PVE 8 only has the plugin), each node's LVM volume groups,
// thin pools and zpools. The scans (storage-scan.ts) answer from it; the
// storage configuration (storage-config.ts) keeps each storage's options
// here, next to the cluster's storages. Test infrastructure only.

export interface StorageLab {
  /** NFS servers by address: their exports and export options (showmount -e). */
  nfs: Record<string, { path: string; options: string }[]>;
  /** CIFS servers by address: their shares, and the user a listing needs (none: guest). */
  cifs: Record<string, { shares: { share: string; description: string }[]; user?: string }>;
  /** iSCSI portals (address:port) and their targets (iscsiadm discovery). */
  iscsi: Record<string, string[]>;
  /** Gluster servers and their volumes. */
  glusterfs: Record<string, string[]>;
  /** Each node's LVM volume groups and the thin pools in each. */
  vgs: Record<string, Record<string, string[]>>;
  /** Each node's ZFS pools. */
  zpools: Record<string, string[]>;
  /** Each storage's configuration as /etc/pve/storage.cfg keeps it (by storage id). */
  configs: Record<string, Record<string, string | number>>;
  /** Files pveproxy received for an upload, by their /var/tmp/pveupload-… name. */
  tmpFiles: Map<string, Buffer>;
  /** Bytes a download-url fetch gets, by URL (the lab's web server). */
  urls: Record<string, Buffer>;
}

/** The lab's filer at 192.0.2.50, its iSCSI portal at .60, a Gluster server at .70, local disks per node. */
export function seedStorageLab(nodes: readonly string[]): StorageLab {
  const vgs: StorageLab['vgs'] = {};
  const zpools: StorageLab['zpools'] = {};
  nodes.forEach((n, i) => {
    vgs[n] = { pve: ['data'], ...(i === 0 ? { vmdata: ['thin1', 'thin2'] } : {}) };
    zpools[n] = i === 0 ? ['rpool', 'tank'] : ['rpool'];
  });
  return {
    nfs: {
      '192.0.2.50': [
        { path: '/mnt/tank/vms', options: '192.0.2.0/24' },
        { path: '/mnt/tank/iso', options: '*' },
        { path: '/mnt/tank/backup', options: '192.0.2.0/24' },
      ],
    },
    cifs: {
      '192.0.2.50': {
        shares: [
          { share: 'isos', description: 'Install media' },
          { share: 'backup', description: 'Backups' },
        ],
        user: 'pveuser',
      },
    },
    iscsi: {
      '192.0.2.60:3260': ['iqn.2005-10.org.freenas.ctl:vms', 'iqn.2005-10.org.freenas.ctl:backup'],
    },
    glusterfs: { '192.0.2.70': ['gv0', 'gv-iso'] },
    vgs,
    zpools,
    configs: {
      local: { path: '/var/lib/vz' },
      'local-lvm': { vgname: 'pve', thinpool: 'data' },
      'nfs-shared': { server: '192.0.2.50', export: '/mnt/tank/vms', path: '/mnt/pve/nfs-shared' },
    },
    tmpFiles: new Map(),
    urls: {},
  };
}
