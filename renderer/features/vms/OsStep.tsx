// New VM's choice of OS: a search over the node's libosinfo variants (or the
// generic profiles when the node has none), the devices and resources the
// chosen one gets, and its firmware: BIOS or UEFI, Secure Boot, a TPM.
import { useState } from 'react';
import { belowMinimum, type OsVariant } from '../../../shared/osinfo';
import {
  OS_PROFILES,
  OS_PROFILE_LABELS,
  PROFILE_HARDWARE,
  type OsProfile,
} from '../../../shared/vm';
import { parseSize } from '../../../shared/units';
import { Checkbox, Select, TextField } from '../../ui/forms';
import { buttonClass } from '../../ui/Dialog';
import type { Form } from './newVmForm';
import {
  describeDevices,
  describeResources,
  pickVariant,
  searchVariants,
  type CatalogState,
} from './osVariants';

const note = 'text-sm text-slate-500';
const warning = 'text-sm text-amber-700 dark:text-amber-400';

export function OsStep({
  f,
  setF,
  node,
  catalog,
  variant,
  firmwareError,
}: {
  f: Form;
  setF: (update: (old: Form) => Form) => void;
  node: string;
  catalog: CatalogState & { reread: () => void };
  variant: OsVariant | undefined;
  firmwareError?: string | undefined;
}) {
  const [query, setQuery] = useState('');
  const variants = catalog.state === 'ready' ? catalog.catalog.variants : [];
  const found = searchVariants(variants, query);
  // The chosen option stays listed whatever the search, so the list shows it.
  if (variant && !found.includes(variant)) found.unshift(variant);
  const options = [
    ...(query.trim()
      ? []
      : OS_PROFILES.map((o) => ({
          value: `generic:${o}`,
          label: `Generic: ${OS_PROFILE_LABELS[o]}`,
        }))),
    ...found.map((v) => ({
      value: `osinfo:${v.shortId}`,
      label: `${v.name} (${v.family} ${v.version})`,
    })),
  ];
  const value = variant ? `osinfo:${variant.shortId}` : `generic:${f.os}`;
  if (!variant && query.trim())
    options.unshift({ value, label: `Generic: ${OS_PROFILE_LABELS[f.os]}` });
  const choose = (v: string) => {
    const [kind, id] = v.split(':') as [string, string];
    if (kind === 'generic') setF((old) => pickVariant(old, undefined, id as OsProfile));
    else
      setF((old) =>
        pickVariant(
          old,
          variants.find((x) => x.shortId === id),
        ),
      );
  };
  const hw = variant?.hardware ?? PROFILE_HARDWARE[f.os];

  return (
    <div className="space-y-3">
      {variants.length > 0 && (
        <TextField
          label="Search OS variants"
          value={query}
          placeholder="Windows 11, debian, ubuntu 22.04…"
          spellCheck={false}
          onChange={setQuery}
        />
      )}
      <Select
        label="Operating system"
        value={value}
        onChange={choose}
        options={options}
        emptyLabel="No match"
      />
      <p className={note} role="status">
        {catalog.state === 'loading'
          ? `Reading the operating systems libosinfo knows on ${node}…`
          : catalog.state === 'failed'
            ? `Could not read ${node}’s list of operating systems (${catalog.message}); choose a generic type.`
            : catalog.catalog.source === 'none'
              ? `${node} has no libosinfo data (Debian’s osinfo-db and libosinfo-bin packages): choose a generic type, whose devices suit most systems of its kind.`
              : `${variants.length} operating systems from libosinfo on ${node}${query.trim() ? `, ${found.length} matching` : ''}.`}
      </p>
      {(firmwareError ||
        catalog.state === 'failed' ||
        (catalog.state === 'ready' && catalog.catalog.source === 'none')) && (
        <button type="button" className={buttonClass} onClick={catalog.reread}>
          Read {node}’s list again
        </button>
      )}
      <p className={note}>Devices: {describeDevices(hw)}.</p>
      {variant && describeResources(variant.minimum) && (
        <p className={note}>Minimum: {describeResources(variant.minimum)}.</p>
      )}
      {variant && describeResources(variant.recommended) && (
        <p className={note}>Recommended: {describeResources(variant.recommended)}.</p>
      )}
      <Select
        label="Firmware"
        value={f.firmware}
        onChange={(v) =>
          setF((old) => ({
            ...old,
            firmware: v === 'efi' ? 'efi' : 'bios',
            secureBoot: v === 'efi' && old.secureBoot,
          }))
        }
        options={[
          ...(variant?.requiresEfi ? [] : [{ value: 'bios', label: 'BIOS (SeaBIOS)' }]),
          { value: 'efi', label: 'UEFI (OVMF)' },
        ]}
        error={firmwareError}
      />
      <Checkbox
        checked={f.firmware === 'efi' && f.secureBoot}
        disabled={f.firmware !== 'efi'}
        onChange={(on) => setF((old) => ({ ...old, secureBoot: on }))}
      >
        Secure Boot (Microsoft’s keys enrolled)
      </Checkbox>
      <Checkbox checked={f.tpm} onChange={(on) => setF((old) => ({ ...old, tpm: on }))}>
        TPM 2.0 (emulated by swtpm)
      </Checkbox>
      {variant?.requiresSecureBoot && !(f.firmware === 'efi' && f.secureBoot && f.tpm) && (
        <p className={warning}>
          {variant.name} needs UEFI with Secure Boot and a TPM 2.0; its installer refuses to go on
          without them.
        </p>
      )}
    </div>
  );
}

/** The variant's minimums the form is below, as warnings: the user may know better. */
export function MinimumWarnings({
  f,
  variant,
  fields,
}: {
  f: Form;
  variant: OsVariant | undefined;
  fields: readonly ('memoryMiB' | 'vcpus' | 'diskSize')[];
}) {
  if (!variant) return null;
  const w = belowMinimum(variant, {
    memoryMiB: Number(f.memoryMiB) || 0,
    vcpus: Number(f.vcpus) || 0,
    ...(f.disk === 'new' ? { diskBytes: parseSize(f.diskSize) ?? 0 } : {}),
  });
  const shown = fields.map((k) => w[k]).filter(Boolean);
  return shown.length ? (
    <div role="status" className="space-y-1">
      {shown.map((t) => (
        <p key={t} className={warning}>
          {t}
        </p>
      ))}
    </div>
  ) : null;
}
