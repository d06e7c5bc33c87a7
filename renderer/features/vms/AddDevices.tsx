// The settings editor's additions: disks (a new volume made in a pool, or
// an existing one) and network interfaces (a libvirt network or a host
// bridge). Each addition is listed until Review, and can be taken back.
import { useState } from 'react';
import type { Vm } from '../../../shared/model';
import { objectNameSchema, volumeFormatsFor, type VolumeFormat } from '../../../shared/storage';
import { formatBytes } from '../../../shared/units';
import type { VmSettings } from '../../../shared/vm';
import { useInventory } from '../../state/inventory';
import { buttonClass } from '../../ui/Dialog';
import { parseSize } from '../../../shared/units';
import { Select, TextField } from '../../ui/forms';

export type DiskAdd = VmSettings['addDisks'][number];
export type NicAdd = VmSettings['addNics'][number];

function Pending({ items, onRemove }: { items: string[]; onRemove: (i: number) => void }) {
  if (!items.length) return null;
  return (
    <ul className="mb-2 space-y-1 text-sm">
      {items.map((label, i) => (
        <li key={label} className="flex items-center justify-between gap-2">
          <span>{label}</span>
          <button
            type="button"
            className={buttonClass}
            aria-label={`Do not add ${label}`}
            onClick={() => onRemove(i)}
          >
            Remove
          </button>
        </li>
      ))}
    </ul>
  );
}

export function AddDisks({
  vm,
  value,
  onChange,
}: {
  vm: Vm;
  value: DiskAdd[];
  onChange: (v: DiskAdd[]) => void;
}) {
  const allPools = useInventory((s) => s.inv.pools);
  const pools = Object.values(allPools).filter(
    (p) => p.hostId === vm.hostId && p.state === 'running',
  );
  const [poolId, setPoolId] = useState(pools[0]?.id ?? '');
  const [kind, setKind] = useState<'new' | 'existing'>('new');
  const pool = allPools[poolId];
  const formats = volumeFormatsFor(pool?.type ?? 'dir');
  const [format, setFormat] = useState<VolumeFormat>('qcow2');
  const fmt = formats.includes(format) ? format : (formats[0] ?? format);
  const [name, setName] = useState('');
  const [size, setSize] = useState('1G');
  const [volume, setVolume] = useState('');
  const inUse = new Set(vm.disks.map((d) => d.source));
  const free = (pool?.volumes ?? []).filter((v) => !inUse.has(v.name) && !inUse.has(v.path));

  // The suggested name: vm-disk1.qcow2, or the next number free in the pool and in this list.
  const taken = new Set([
    ...(pool?.volumes ?? []).map((v) => v.name),
    ...value.filter((d) => d.poolId === poolId).map((d) => d.volume),
  ]);
  const ext = fmt === 'raw' ? 'img' : fmt;
  let n = 1;
  while (taken.has(`${vm.name}-disk${n}.${ext}`)) n++;
  const newName = name.trim() || `${vm.name}-disk${n}.${ext}`;
  const nameCheck = objectNameSchema.safeParse(newName);
  const bytes = parseSize(size);
  let error: string | undefined;
  if (kind === 'new') {
    if (!formats.length) error = `${pool?.name ?? 'This pool'} cannot make new volumes.`;
    else if (!nameCheck.success) error = nameCheck.error.issues[0]?.message;
    else if (!bytes) error = 'A size such as 512M, 20G or 1.5T.';
    else if (taken.has(newName)) error = `${pool?.name} already has a volume ${newName}.`;
  }

  const add = () => {
    if (!pool) return;
    if (kind === 'new' && bytes && !error) {
      onChange([...value, { poolId, volume: newName, create: { bytes, format: fmt } }]);
      setName('');
    } else if (kind === 'existing' && volume) {
      onChange([...value, { poolId, volume }]);
      setVolume('');
    }
  };
  const label = (d: DiskAdd) => {
    const p = allPools[d.poolId]?.name ?? 'a pool';
    return d.create
      ? `New disk ${d.volume} (${formatBytes(d.create.bytes)} ${d.create.format}) in ${p}`
      : `Disk ${d.volume} from ${p}`;
  };

  return (
    <fieldset>
      <legend className="mb-1 font-medium">Add disks</legend>
      <Pending
        items={value.map(label)}
        onRemove={(i) => onChange(value.filter((_, j) => j !== i))}
      />
      {pools.length === 0 ? (
        <p className="text-sm text-slate-500">No running storage pool on this node.</p>
      ) : (
        <div className="flex flex-wrap items-end gap-2">
          <Select
            label="Pool"
            value={poolId}
            onChange={setPoolId}
            options={pools.map((p) => ({
              value: p.id,
              label: `${p.name} (${formatBytes(p.available)} free)`,
            }))}
          />
          <Select
            label="Volume"
            value={kind}
            onChange={(v) => setKind(v as 'new' | 'existing')}
            options={[
              { value: 'new', label: 'A new volume' },
              { value: 'existing', label: 'An existing volume' },
            ]}
          />
          {kind === 'new' ? (
            <>
              <TextField
                label="New volume name"
                value={name}
                placeholder={newName}
                spellCheck={false}
                onChange={setName}
              />
              <TextField className="w-24" label="Size" value={size} onChange={setSize} />
              <Select
                label="Format"
                value={fmt}
                onChange={(v) => setFormat(v as VolumeFormat)}
                options={formats.map((f) => ({ value: f, label: f }))}
              />
            </>
          ) : (
            <Select
              label="Existing volume"
              value={volume}
              onChange={setVolume}
              options={[
                { value: '', label: 'Choose…' },
                ...free.map((v) => ({
                  value: v.name,
                  label: `${v.name} (${formatBytes(v.capacity)})`,
                })),
              ]}
            />
          )}
          <button
            type="button"
            className={buttonClass}
            disabled={!!error || (kind === 'existing' && !volume)}
            onClick={add}
          >
            Add disk
          </button>
          {error && (
            <p className="w-full text-xs text-red-600 dark:text-red-400" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}

export function AddNics({
  vm,
  value,
  onChange,
}: {
  vm: Vm;
  value: NicAdd[];
  onChange: (v: NicAdd[]) => void;
}) {
  const allNets = useInventory((s) => s.inv.networks);
  const nets = Object.values(allNets).filter((n) => n.hostId === vm.hostId);
  const [kind, setKind] = useState<'network' | 'bridge'>(nets.length ? 'network' : 'bridge');
  const [network, setNetwork] = useState(nets[0]?.name ?? '');
  const [bridge, setBridge] = useState('');
  const name = kind === 'network' ? network : bridge.trim();
  const check = objectNameSchema.safeParse(name);
  const label = (n: NicAdd) =>
    n.kind === 'network'
      ? `Interface on the network ${n.name}`
      : `Interface on the bridge ${n.name}`;

  return (
    <fieldset>
      <legend className="mb-1 font-medium">Add network interfaces</legend>
      <Pending
        items={value.map(label)}
        onRemove={(i) => onChange(value.filter((_, j) => j !== i))}
      />
      <div className="flex flex-wrap items-end gap-2">
        <Select
          label="Connect to"
          value={kind}
          onChange={(v) => setKind(v as 'network' | 'bridge')}
          options={[
            { value: 'network', label: 'A libvirt network' },
            { value: 'bridge', label: 'A host bridge' },
          ]}
        />
        {kind === 'network' ? (
          <Select
            label="Network"
            value={network}
            onChange={setNetwork}
            options={nets.map((n) => ({ value: n.name, label: n.name }))}
            emptyLabel="None on this node"
          />
        ) : (
          <TextField
            label="Bridge"
            value={bridge}
            placeholder="br0"
            spellCheck={false}
            onChange={setBridge}
          />
        )}
        <button
          type="button"
          className={buttonClass}
          disabled={!check.success}
          onClick={() => {
            onChange([...value, { kind, name }]);
            setBridge('');
          }}
        >
          Add interface
        </button>
      </div>
    </fieldset>
  );
}
