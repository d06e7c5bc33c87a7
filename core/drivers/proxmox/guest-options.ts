// What New VM and New Container offer on a Proxmox VE cluster, read through
// the API of the node Clusterdeck is connected to: the nodes (online, CPUs,
// memory) and the ids in use from /cluster/resources, the proposed id from
// /cluster/nextid, and per online node its active storages (content types,
// free space), its bridges, and the ISO images and container templates its
// storages hold. Each read is kept as its pvesh command for the user.
import type { GuestNode, GuestOptions, VolumeChoice } from '../../../shared/guest-create';
import type { PveApiClient } from './api-client';
import { parseClusterResources, splitList } from './parse';
import { pveshCommand, type PveParams } from './pvesh';

/** PVE's `ostype` values with the labels its web interface shows (qemu-server's list). */
export const PVE_OS_TYPES: readonly { value: string; label: string }[] = [
  { value: 'l26', label: 'Linux 6.x - 2.6 Kernel' },
  { value: 'l24', label: 'Linux 2.4 Kernel' },
  { value: 'win11', label: 'Microsoft Windows 11/2022/2025' },
  { value: 'win10', label: 'Microsoft Windows 10/2016/2019' },
  { value: 'win8', label: 'Microsoft Windows 8.x/2012/2012r2' },
  { value: 'win7', label: 'Microsoft Windows 7/2008r2' },
  { value: 'w2k8', label: 'Microsoft Windows Vista/2008' },
  { value: 'wvista', label: 'Microsoft Windows Vista' },
  { value: 'w2k3', label: 'Microsoft Windows 2003' },
  { value: 'w2k', label: 'Microsoft Windows 2000' },
  { value: 'wxp', label: 'Microsoft Windows XP' },
  { value: 'solaris', label: 'Solaris Kernel' },
  { value: 'other', label: 'Other' },
];

type Row = Record<string, unknown>;
const rows = (data: unknown): Row[] =>
  Array.isArray(data) ? data.filter((r): r is Row => !!r && typeof r === 'object') : [];
const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};
const on = (v: unknown): boolean => v === 1 || v === true || v === '1';

/** A volume's file name: `local:iso/debian-12.iso` → debian-12.iso. */
export function volumeLabel(volid: string): string {
  const rest = volid.slice(volid.indexOf(':') + 1);
  return rest.slice(rest.lastIndexOf('/') + 1) || rest;
}

/** The storage listing of one node: active and enabled storages, as New VM can use them. */
export function parseNodeStorages(data: unknown): GuestNode['storages'] {
  return rows(data)
    .filter((r) => on(r.active) && (r.enabled === undefined || on(r.enabled)))
    .map((r) => ({
      id: str(r.storage),
      type: str(r.type),
      content: splitList(str(r.content)).sort(),
      availBytes: num(r.avail),
      shared: on(r.shared),
    }))
    .filter((s) => s.id)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Bridges the node's network config has (Linux and OVS), sorted: vmbr0 first. */
export function parseBridges(data: unknown): string[] {
  return rows(data)
    .filter((r) => /bridge/i.test(str(r.type)))
    .map((r) => str(r.iface))
    .filter(Boolean)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export function parseVolumes(data: unknown, content: string): VolumeChoice[] {
  return rows(data)
    .filter((r) => str(r.content) === content && str(r.volid))
    .map((r) => ({ volid: str(r.volid), label: volumeLabel(str(r.volid)), sizeBytes: num(r.size) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Reads the options through `api`; `cluster` is how the user knows the cluster. */
export async function readGuestOptions(api: PveApiClient, cluster: string): Promise<GuestOptions> {
  const commands: string[] = [];
  const get = <T = unknown>(path: string, params: PveParams = {}): Promise<T> => {
    commands.push(pveshCommand('GET', path, params));
    return api.get<T>(path, params);
  };
  const [resources, nextId] = await Promise.all([
    get('/cluster/resources').then(parseClusterResources),
    get<unknown>('/cluster/nextid').then(num),
  ]);
  /** A node's storages, bridges, and the ISO images and templates on its storages. */
  const readNode = async (name: string) => {
    const [storages, bridges] = await Promise.all([
      get(`/nodes/${name}/storage`).then(parseNodeStorages),
      get(`/nodes/${name}/network`, { type: 'any_bridge' }).then(parseBridges),
    ]);
    const listing = (content: string) =>
      Promise.all(
        storages
          .filter((s) => s.content.includes(content))
          .map((s) =>
            get(`/nodes/${name}/storage/${s.id}/content`, { content }).then((d) =>
              parseVolumes(d, content),
            ),
          ),
      ).then((lists) => lists.flat());
    const [isos, templates] = await Promise.all([listing('iso'), listing('vztmpl')]);
    return { storages, bridges, isos, templates };
  };
  const nodes = await Promise.all(
    resources.nodes
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
      .map(async (n): Promise<GuestNode> => {
        const base = {
          name: n.name,
          online: n.online,
          cpus: n.cpus,
          memoryMiB: Math.floor(n.memTotal / 1024 ** 2),
        };
        const none = { storages: [], bridges: [], isos: [], templates: [] };
        if (!n.online) return { ...base, ...none };
        // One node that does not answer leaves the others offered.
        return readNode(n.name).then(
          (read) => ({ ...base, ...read }),
          (err: Error) => ({ ...base, ...none, error: err.message }),
        );
      }),
  );
  return {
    cluster,
    nextId,
    usedIds: resources.guests
      .map((g) => ({ vmid: g.vmid, name: g.name, node: g.node }))
      .sort((a, b) => a.vmid - b.vmid),
    nodes,
    osTypes: [...PVE_OS_TYPES],
    defaultOsType: 'l26',
    commands,
  };
}
