// A storage pool's type and settings, checked as they are typed against the
// contract's own schema: the fields of New Storage Pool, also offered by New
// Cluster for a pool shared by the new cluster's nodes.
import { useState, type ReactNode } from 'react';
import type { Host } from '../../../shared/model';
import {
  POOL_TYPES,
  NETFS_FORMATS,
  POOL_TYPE_LABELS,
  canScan,
  poolSpecSchema,
  type FoundSource,
  type PoolSpecInput,
  type PoolType,
} from '../../../shared/storage';
import { poolSpecDraft, type PoolField as Field, type PoolFields as Fields } from '../../api/specs';
import { ScanSources } from './ScanSources';
import { RadioGroup, Select, TextField } from '../../ui/forms';

/** The network file systems the form offers, in the contract's terms. */
const NETFS_LABELS: Record<(typeof NETFS_FORMATS)[number], string> = {
  nfs: 'NFS',
  glusterfs: 'GlusterFS (FUSE mount)',
  cifs: 'CIFS / SMB',
};
const NETFS_OPTIONS = NETFS_FORMATS.map((value) => ({ value, label: NETFS_LABELS[value] }));

const EMPTY: Fields = {
  name: '',
  targetPath: '',
  format: 'nfs',
  host: '',
  port: '3260',
  sourcePath: '',
  target: '',
  initiator: '',
  volumeGroup: '',
  devices: '',
  volume: '',
  monitors: '',
  cephPool: 'rbd',
  user: '',
  key: '',
  zpool: '',
};

/** The fields each type asks for, in order, with their labels and hints. */
const FIELDS: Record<PoolType, { field: Field; label: string; hint?: string }[]> = {
  dir: [{ field: 'targetPath', label: 'Directory on the node', hint: '/var/lib/libvirt/images' }],
  netfs: [
    { field: 'format', label: 'Protocol' },
    { field: 'host', label: 'Server' },
    { field: 'sourcePath', label: 'Export, volume or share', hint: '/export/vms' },
    { field: 'targetPath', label: 'Mount point on the node', hint: '/mnt/vms' },
  ],
  iscsi: [
    { field: 'host', label: 'Target portal address' },
    { field: 'port', label: 'Portal port' },
    { field: 'target', label: 'Target IQN', hint: 'iqn.2003-01.org.example:storage' },
    { field: 'initiator', label: 'Initiator IQN (optional)' },
  ],
  'iscsi-direct': [
    { field: 'host', label: 'Target portal address' },
    { field: 'port', label: 'Portal port' },
    { field: 'target', label: 'Target IQN', hint: 'iqn.2003-01.org.example:storage' },
    { field: 'initiator', label: 'Initiator IQN', hint: 'iqn.2024-01.org.example:node1' },
  ],
  logical: [
    { field: 'volumeGroup', label: 'Volume group' },
    {
      field: 'devices',
      label: 'Devices to format as a new group (optional)',
      hint: '/dev/sdb, /dev/sdc — leave empty to use an existing group',
    },
  ],
  gluster: [
    { field: 'host', label: 'Gluster server' },
    { field: 'volume', label: 'Gluster volume' },
  ],
  rbd: [
    { field: 'monitors', label: 'Monitors', hint: 'mon1:6789, mon2:6789' },
    { field: 'cephPool', label: 'Ceph pool' },
    { field: 'user', label: 'Cephx user (optional)', hint: 'libvirt' },
    { field: 'key', label: 'Cephx key (optional)', hint: 'as `ceph auth get-key` prints it' },
  ],
  zfs: [
    { field: 'zpool', label: 'ZFS pool' },
    {
      field: 'devices',
      label: 'Devices for a new zpool (optional)',
      hint: '/dev/sdd — leave empty to use an existing zpool',
    },
  ],
};

function fieldErrors(type: PoolType, f: Fields): Partial<Record<Field, string>> {
  const out: Partial<Record<Field, string>> = {};
  const r = poolSpecSchema.safeParse(poolSpecDraft(type, f));
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = issue.path[0] as Field | undefined;
      if (key && !out[key]) out[key] = issue.message;
    }
  }
  if (type === 'rbd' && !!f.user.trim() !== !!f.key.trim() && !out.key)
    out.key = 'Give both the cephx user and its key, or neither (auth none).';
  return out;
}

export interface PoolForm {
  type: PoolType;
  /** The spec as the contract expects it (checked by the caller's plan). */
  spec: PoolSpecInput;
  settingsOk: boolean;
  /** Shows every field's error, as after a Next that was refused. */
  showErrors: (on: boolean) => void;
  typePicker: ReactNode;
  settingsFields: ReactNode;
}

/** The pool form's state and its two parts, for a wizard to place in its steps. */
export function usePoolForm(hosts: Host[], preselected: string | undefined): PoolForm {
  const [type, setType] = useState<PoolType>('dir');
  const [f, setF] = useState<Fields>(EMPTY);
  const [touched, setTouched] = useState<Set<Field>>(new Set());
  const [tried, showErrors] = useState(false);
  const errors = fieldErrors(type, f);
  const fields: Field[] = ['name', ...FIELDS[type].map((x) => x.field)];
  const shown = (k: Field) => (tried || touched.has(k) ? errors[k] : undefined);

  const set = (k: Field, v: string) => setF((old) => ({ ...old, [k]: v }));
  /** Fills the fields a scanned source names; the rest stay as typed. */
  const use = (s: FoundSource) =>
    setF((old) => ({
      ...old,
      ...(s.host ? { host: s.host } : {}),
      ...(s.format ? { format: s.format } : {}),
      ...(s.sourcePath ? { sourcePath: s.sourcePath } : {}),
      ...(s.target ? { target: s.target } : {}),
      ...(s.volumeGroup ? { volumeGroup: s.volumeGroup } : {}),
      ...(s.volume ? { volume: s.volume } : {}),
    }));
  const blur = (k: Field) => setTouched((t) => new Set(t).add(k));

  const textField = (k: Field, text: string, hint?: string) =>
    k === 'format' ? (
      <Select
        key={k}
        label={text}
        value={f.format}
        onChange={(v) => set('format', v)}
        options={NETFS_OPTIONS}
      />
    ) : (
      <TextField
        key={k}
        label={text}
        type={k === 'key' ? 'password' : 'text'}
        autoComplete="off"
        spellCheck={false}
        placeholder={hint}
        value={f[k]}
        onChange={(v) => set(k, v)}
        onBlur={() => blur(k)}
        error={shown(k)}
      />
    );

  return {
    type,
    spec: poolSpecDraft(type, f),
    settingsOk: fields.every((k) => !errors[k]),
    showErrors,
    typePicker: (
      <RadioGroup
        legend="Storage type"
        className=""
        legendClassName="mb-2 font-medium"
        optionsClassName="grid grid-cols-2 gap-1"
        optionClassName="flex items-center gap-2 rounded px-1 py-0.5"
        value={type}
        onChange={setType}
        options={POOL_TYPES.map((t) => ({ value: t, label: POOL_TYPE_LABELS[t] }))}
      />
    ),
    settingsFields: (
      <div className="space-y-3">
        {textField('name', 'Pool name', 'images')}
        {FIELDS[type].map((x) => textField(x.field, x.label, x.hint))}
        {canScan(type) && !(type === 'netfs' && f.format === 'cifs') && (
          <ScanSources
            type={type}
            hosts={hosts}
            defaultHostId={preselected}
            server={f.host}
            port={f.port}
            initiator={f.initiator}
            onUse={use}
          />
        )}
      </div>
    ),
  };
}
