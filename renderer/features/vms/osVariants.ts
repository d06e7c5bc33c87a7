// New VM's OS variants: the node's libosinfo list (read once per node by the
// backend), the search over it, and what choosing a variant sets in the form.
import { useEffect, useState } from 'react';
import type { OsCatalog, OsVariant } from '../../../shared/osinfo';
import { PROFILE_HARDWARE, type OsProfile } from '../../../shared/vm';
import { api } from '../../api/backend';
import type { Form } from './newVmForm';

export type CatalogState =
  | { state: 'loading' }
  | { state: 'ready'; catalog: OsCatalog }
  | { state: 'failed'; message: string };

/**
 * The chosen node's catalog, fetched again when the node changes; `reread`
 * has the node read it again (after the user installed a package there).
 */
export function useOsCatalog(hostId: string): CatalogState & { reread: () => void } {
  const [s, setS] = useState<CatalogState>({ state: 'loading' });
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (!hostId) return;
    let live = true;
    setS({ state: 'loading' });
    api.getOsCatalog({ hostId, reread: asked > 0 }).then(
      (catalog) => live && setS({ state: 'ready', catalog }),
      (err: unknown) => live && setS({ state: 'failed', message: (err as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [hostId, asked]);
  return { ...s, reread: () => setAsked((n) => n + 1) };
}

/** Variants whose name, short id, family, vendor or version hold every word typed. */
export function searchVariants(variants: readonly OsVariant[], query: string): OsVariant[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...variants];
  return variants.filter((v) => {
    const text = `${v.name} ${v.shortId} ${v.family} ${v.vendor} ${v.version}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** A generic profile for a variant: what the form's `os` keeps for the old profiles. */
function profileOf(v: OsVariant): OsProfile {
  if (v.family === 'winnt' || v.family === 'win9x') return 'windows';
  if (v.family === 'linux') return v.hardware.firmware === 'efi' ? 'linux-uefi' : 'linux';
  return 'other';
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const sizeText = (bytes: number) =>
  bytes >= GiB && bytes % GiB === 0 ? `${bytes / GiB}G` : `${Math.ceil(bytes / MiB)}M`;

/**
 * The form once a variant (or, without one, a generic profile) is chosen:
 * its devices' firmware and its recommended memory, vCPUs and disk size,
 * never less than what the form already has.
 */
export function pickVariant(f: Form, v: OsVariant | undefined, profile?: OsProfile): Form {
  if (!v) {
    const os = profile ?? f.os;
    const hw = PROFILE_HARDWARE[os];
    return { ...f, os, osVariant: '', firmware: hw.firmware, secureBoot: false, tpm: false };
  }
  const want = { ...v.minimum, ...definedOf(v.recommended) };
  const memoryMiB = Math.max(Number(f.memoryMiB) || 0, Math.ceil((want.ramBytes ?? 0) / MiB));
  const vcpus = Math.max(Number(f.vcpus) || 0, want.cpus ?? 0);
  return {
    ...f,
    os: profileOf(v),
    osVariant: v.shortId,
    firmware: v.hardware.firmware,
    secureBoot: v.hardware.secureBoot,
    tpm: v.hardware.tpm,
    memoryMiB: String(memoryMiB || 1024),
    vcpus: String(vcpus || 1),
    diskSize: want.storageBytes ? sizeText(want.storageBytes) : f.diskSize,
  };
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}

const BUS = { virtio: 'virtio', sata: 'SATA', ide: 'IDE' } as const;
const NIC = {
  virtio: 'virtio',
  e1000e: 'Intel e1000e',
  e1000: 'Intel e1000',
  rtl8139: 'Realtek RTL8139',
} as const;
const VIDEO = { virtio: 'virtio', qxl: 'QXL', vga: 'VGA' } as const;

/** One line of the devices a variant or profile gets, as the wizard shows it. */
export function describeDevices(hw: OsVariant['hardware']): string {
  return `${BUS[hw.diskBus]} disk, ${NIC[hw.nic]} network, ${VIDEO[hw.video]} video${hw.q35 ? ', q35 machine' : ''}`;
}

/** "4 GiB of memory, 2 vCPUs, a 64 GiB disk" from libosinfo's figures. */
export function describeResources(r: OsVariant['minimum']): string {
  const size = (b: number) =>
    b >= GiB ? `${+(b / GiB).toFixed(1)} GiB` : `${Math.round(b / MiB)} MiB`;
  const parts = [
    r.ramBytes ? `${size(r.ramBytes)} of memory` : '',
    r.cpus ? `${r.cpus} ${r.cpus === 1 ? 'vCPU' : 'vCPUs'}` : '',
    r.storageBytes ? `a ${size(r.storageBytes)} disk` : '',
  ].filter(Boolean);
  return parts.join(', ');
}
