// Migrate VM on Proxmox VE, the logic without I/O: PVE's own precondition
// check (GET /nodes/{node}/{qemu|lxc}/{vmid}/migrate) read into one shape,
// the ways the guest can move from it (a running VM online, a running
// container by restart migration, a stopped guest offline) with their
// targets (the cluster's other nodes, each refused with PVE's reason), the
// API call of a move, and the progress figures of its task log.
import type { ClusterMoveKind, ClusterMoveOption } from '../../../shared/cluster-moves';
import { paramPairs, type PveParams } from './pvesh';

/** What PVE's precondition check says of a guest. */
export interface PveMigrateCheck {
  running: boolean;
  /** The nodes PVE lists as allowed; absent where it does not say (PVE 8 for a running VM, containers). */
  allowed?: string[];
  /** Node -> why PVE does not allow it. */
  notAllowed: Map<string, string>;
  /** Volumes only the guest's node has (not CD-ROMs). */
  localDisks: string[];
  /** CD-ROM drives holding an image only the guest's node has. */
  localCdroms: string[];
  /** Devices of the node (PCI, USB passthrough) that block a migration. */
  localResources: string[];
}

export interface PveMoveGuest {
  name: string;
  node: string;
  vmid: number;
  type: 'qemu' | 'lxc';
  running: boolean;
}

export interface PveNodeState {
  name: string;
  online: boolean;
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1';
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** One not-allowed node's entry in words: the storages, mapped devices or HA rules in the way. */
export function notAllowedReason(node: string, info: unknown): string {
  if (!info || typeof info !== 'object') return `PVE does not allow ${node}`;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
    if (key === 'unavailable_storages' || key === 'unavailable-storages') {
      const s = strings(value);
      parts.push(
        `${s.length > 1 ? 'storages' : 'storage'} ${s.join(', ')} ${s.length > 1 ? 'are' : 'is'} not available on ${node}`,
      );
    } else if (key === 'unavailable-resources') {
      parts.push(`mapped devices ${strings(value).join(', ')} have no mapping on ${node}`);
    } else if (key === 'blocking-ha-resources' && Array.isArray(value)) {
      const sids = value.map((b: { sid?: unknown; cause?: unknown }) =>
        typeof b?.cause === 'string' ? `${String(b?.sid)} (${b.cause})` : String(b?.sid),
      );
      parts.push(`HA resources ${sids.join(', ')} block it`);
    } else parts.push(`${key}: ${JSON.stringify(value)}`);
  }
  return parts.length ? parts.join('; ') : `PVE does not allow ${node}`;
}

function notAllowedMap(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (v && typeof v === 'object' && !Array.isArray(v))
    for (const [node, info] of Object.entries(v as Record<string, unknown>))
      out.set(node, notAllowedReason(node, info));
  return out;
}

/** qemu-server's answer (snake_case names). */
export function parseQemuCheck(data: unknown): PveMigrateCheck {
  const d = (data ?? {}) as Record<string, unknown>;
  const disks = Array.isArray(d.local_disks)
    ? (d.local_disks as { volid?: unknown; cdrom?: unknown }[])
    : [];
  return {
    running: truthy(d.running),
    ...(Array.isArray(d.allowed_nodes) ? { allowed: strings(d.allowed_nodes) } : {}),
    notAllowed: notAllowedMap(d.not_allowed_nodes),
    localDisks: disks.filter((x) => !truthy(x.cdrom)).map((x) => String(x.volid)),
    localCdroms: disks.filter((x) => truthy(x.cdrom)).map((x) => String(x.volid)),
    localResources: strings(d.local_resources),
  };
}

/** pve-container's answer (PVE 9, dashed names); PVE 8 has none: `undefined`. */
export function parseLxcCheck(data: unknown, running: boolean): PveMigrateCheck {
  const d = (data ?? {}) as Record<string, unknown>;
  return {
    running: data === undefined ? running : truthy(d.running),
    ...(Array.isArray(d['allowed-nodes']) ? { allowed: strings(d['allowed-nodes']) } : {}),
    notAllowed: notAllowedMap(d['not-allowed-nodes']),
    localDisks: [],
    localCdroms: [],
    localResources: [],
  };
}

const LABELS: Record<'live' | 'offline' | 'restart', Record<'qemu' | 'lxc', [string, string]>> = {
  live: {
    qemu: [
      'Online migration (qm migrate --online)',
      'The VM keeps running while its memory (and any disk only its node has) is copied to the target.',
    ],
    lxc: ['Online migration', 'Proxmox VE cannot migrate a running container live.'],
  },
  restart: {
    qemu: ['Restart migration', 'Proxmox VE restart-migrates containers only.'],
    lxc: [
      'Restart migration (pct migrate --restart)',
      'The container is shut down, moved (volumes only its node has are copied), and started on the target.',
    ],
  },
  offline: {
    qemu: [
      'Offline migration (qm migrate)',
      'The stopped VM changes node; disks only its node has are copied to the target.',
    ],
    lxc: [
      'Offline migration (pct migrate)',
      'The stopped container changes node; volumes only its node has are copied to the target.',
    ],
  },
};

/** Why a node cannot take the guest, in PVE's terms; undefined when it can. */
function targetRefusal(node: PveNodeState, check: PveMigrateCheck): string | undefined {
  if (!node.online) return `${node.name} is offline`;
  const why = check.notAllowed.get(node.name);
  if (why) return why;
  if (check.allowed && !check.allowed.includes(node.name))
    return `PVE's migration check does not list ${node.name} as a target`;
  return undefined;
}

/** Why no move at all is possible now (a device of the node, a local CD image). */
function guestRefusal(g: PveMoveGuest, check: PveMigrateCheck): string | undefined {
  if (check.localResources.length)
    return `${g.name} uses devices of ${g.node} (${check.localResources.join(', ')}): PVE cannot migrate them; remove them from its hardware first.`;
  if (check.localCdroms.length)
    return `${g.name}'s CD-ROM drive holds ${check.localCdroms.join(', ')}, which only ${g.node} has: eject it first.`;
  return undefined;
}

/**
 * The ways PVE moves the guest now: a running VM online (qm migrate
 * --online), a running container by restart migration, a stopped guest
 * offline; the others listed refused with the reason. Targets are the
 * cluster's other nodes, each refused where it is offline or PVE's check
 * does not allow it.
 */
export function pveMoveOptions(
  g: PveMoveGuest,
  check: PveMigrateCheck,
  nodes: readonly PveNodeState[],
): ClusterMoveOption[] {
  const running = check.running;
  const others = nodes.filter((n) => n.name !== g.node);
  const targets = others.map((n) => {
    const refused = targetRefusal(n, check);
    return refused ? { node: n.name, refused } : { node: n.name };
  });
  const blocked = guestRefusal(g, check);
  const noTarget = !others.length
    ? 'The cluster has no other node.'
    : !targets.some((t) => !t.refused)
      ? 'No node can take it now (see each node).'
      : undefined;
  const option = (how: 'live' | 'offline' | 'restart', refused: string | undefined) => {
    const [label, note] = LABELS[how][g.type];
    const why = refused ?? blocked ?? noTarget;
    return {
      how,
      label,
      note,
      ...(why ? { refused: why } : {}),
      targets: refused || blocked ? [] : targets,
      fixedTarget: false,
    };
  };
  const moving = g.type === 'qemu' ? 'live' : 'restart';
  return [
    option(
      moving,
      running ? undefined : `${g.name} is not running: Proxmox VE migrates it offline.`,
    ),
    option(
      'offline',
      running
        ? g.type === 'qemu'
          ? `${g.name} is running: PVE migrates a running VM online only; shut it down first for an offline migration.`
          : `${g.name} is running: Proxmox VE moves a running container by restart migration; shut it down first for an offline one.`
        : undefined,
    ),
  ];
}

/** The kinds of move PVE makes for this guest type. */
export const pveMoveKinds = (type: 'qemu' | 'lxc'): ClusterMoveKind[] =>
  type === 'qemu' ? ['live', 'offline'] : ['restart', 'offline'];

/** The API call of a move: POST …/migrate with the target and the mode. */
export function migrateCall(
  g: PveMoveGuest,
  how: ClusterMoveKind,
  target: string,
  check: PveMigrateCheck,
): { path: string; params: PveParams } {
  if (!pveMoveKinds(g.type).includes(how))
    throw new Error(
      `Proxmox VE has no ${how} migration of a ${g.type === 'qemu' ? 'VM' : 'container'}.`,
    );
  const params: Record<string, string | number> = { target };
  if (how === 'live') {
    params.online = 1;
    // Live storage migration of the disks only the source has (to the same storage on the target).
    if (check.localDisks.length) params['with-local-disks'] = 1;
  }
  if (how === 'restart') params.restart = 1;
  return { path: `/nodes/${g.node}/${g.type}/${g.vmid}/migrate`, params };
}

/** A call as the argv of its pvesh command (what a plan's step shows). */
export function pveshArgv(method: 'create', path: string, params: PveParams): string[] {
  return ['pvesh', method, path, ...paramPairs(params).flatMap(([k, v]) => [`--${k}`, v])];
}

const UNIT: Record<string, number> = { B: 0, KiB: 1, MiB: 2, GiB: 3, TiB: 4 };
const bytes = (n: string, unit: string) => Number(n) * 1024 ** (UNIT[unit] ?? 0);

/**
 * The figure a migration's log line gives, as a share of that phase: a
 * disk's mirror ("drive-scsi0: transferred 1.2 GiB of 32.0 GiB (3.75%)")
 * or the memory ("migration active, transferred 215.2 MiB of 2.0 GiB VM-state").
 */
export function migrationFigure(
  line: string,
): { phase: 'disk' | 'memory'; fraction: number } | undefined {
  const disk = /drive-[\w-]+: transferred .* \((\d+(?:\.\d+)?)%\)/.exec(line);
  if (disk) return { phase: 'disk', fraction: Math.min(1, Number(disk[1]) / 100) };
  const mem =
    /migration active, transferred ([\d.]+) (B|KiB|MiB|GiB|TiB) of ([\d.]+) (B|KiB|MiB|GiB|TiB) VM-state/.exec(
      line,
    );
  if (mem) {
    const total = bytes(mem[3]!, mem[4]!);
    if (total > 0)
      return { phase: 'memory', fraction: Math.min(1, bytes(mem[1]!, mem[2]!) / total) };
  }
  return undefined;
}

/**
 * The task's progress from its log: with local disks, their mirror is the
 * first half and the memory the second; the figure never goes back.
 */
export class MigrationProgress {
  private value = 0;
  constructor(private readonly withDisks: boolean) {}

  /** The new overall figure after this line, or undefined when it gives none. */
  read(line: string): number | undefined {
    const f = migrationFigure(line);
    if (!f) return undefined;
    const share = this.withDisks ? 0.5 : 0;
    const overall = f.phase === 'disk' ? f.fraction * share : share + f.fraction * (1 - share);
    this.value = Math.max(this.value, overall);
    return this.value;
  }
}
