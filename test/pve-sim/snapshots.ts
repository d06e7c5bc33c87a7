// Snapshots of VMs and containers as PVE::AbstractConfig keeps them: a
// tree by `parent` in the guest's config file (guest-file.ts), each taken,
// rolled back or deleted by a worker that refuses what PVE refuses (a
// template, a guest under a lock, a used name, a missing snapshot) with
// its message as the task's exit status; the 'current' entry names where
// the guest stands. A running VM's snapshot may keep its RAM (`vmstate`):
// rolling back to it brings the VM back running; any other rollback stops
// the guest first (a container with a forced stop) and leaves it stopped.
import { flag, PveError, type Ctx, type Handler } from './context';
import { applyPending, fileOf, type SimSnapshot } from './guest-file';
import { checkLock } from './guest-edit';
import { DISK_KEY, guestOf } from './guests';
import type { Guest, GuestKind } from './state';

const prefix: Record<GuestKind, string> = { qemu: 'qm', lxc: 'vz' };

/** The options a snapshot keeps: all but the lock, digest, description and unused disks. */
function keptConfig(g: Guest): SimSnapshot['config'] {
  return Object.fromEntries(
    Object.entries(g.config).filter(([k]) => k !== 'description' && !/^unused\d+$/.test(k)),
  );
}

function volumes(config: SimSnapshot['config']): [string, string][] {
  return Object.entries(config)
    .filter(([k, v]) => DISK_KEY.test(k) && !String(v).includes('media=cdrom'))
    .map(([k, v]) => [k, String(v).split(',')[0]!]);
}

/**
 * A worker that checks inside itself as PVE's do (the checks run in the
 * forked task): a refusal ends the task with PVE's message.
 */
function worker(
  ctx: Ctx,
  g: Guest,
  type: string,
  check: () => void,
  lines: () => string[],
  finish: () => void,
  lock: string,
): string {
  let refusal: string | undefined;
  try {
    check();
  } catch (err) {
    refusal = (err as Error).message.replace(/\n$/, '');
  }
  if (refusal !== undefined) {
    const why = refusal;
    return ctx.sim.tasks.start(g.node, type, String(g.vmid), ctx.user, {
      lines: [],
      finish: () => {
        throw new Error(why);
      },
    });
  }
  g.lock = lock;
  return ctx.sim.tasks.start(g.node, type, String(g.vmid), ctx.user, {
    lines: lines(),
    finish: () => {
      delete g.lock;
      finish();
    },
    abort: () => void delete g.lock,
  });
}

const isTemplate = (g: Guest) => Number(g.config.template ?? 0) === 1;

function findSnap(g: Guest, name: string): SimSnapshot {
  const s = fileOf(g).snapshots.find((x) => x.name === name);
  if (!s) throw new PveError(500, `snapshot '${name}' does not exist\n`);
  return s;
}

function create(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    const name = String(ctx.params.snapname);
    // Refused by the API call itself, before any worker.
    if (name === 'current')
      throw new PveError(500, "unable to use snapshot name 'current' (reserved name)\n");
    if (name.toLowerCase() === 'pending')
      throw new PveError(500, "unable to use snapshot name 'pending' (reserved name)\n");
    const f = fileOf(g);
    const ram = kind === 'qemu' && flag(ctx.params.vmstate) && g.status === 'running';
    const disks = volumes(g.config);
    return worker(
      ctx,
      g,
      `${prefix[kind]}snapshot`,
      () => {
        if (isTemplate(g))
          throw new PveError(500, "you can't take a snapshot if it's a template\n");
        checkLock(g);
        if (f.snapshots.some((s) => s.name === name))
          throw new PveError(500, `snapshot name '${name}' already used\n`);
      },
      () => [
        ...(ram
          ? [
              `saving VM state and RAM using storage '${disks[0]?.[1].split(':')[0] ?? 'local'}'`,
              `completed saving the VM state in 1s, saved ${Math.round(Number(g.config.memory ?? 512) * 0.4)}.00 MiB`,
            ]
          : []),
        ...disks.map(([k, v]) =>
          kind === 'qemu' ? `snapshotting 'drive-${k}' (${v})` : `snapshotting '${k}' (${v})`,
        ),
      ],
      () => {
        const store = disks[0]?.[1].split(':')[0] ?? 'local';
        f.snapshots.push({
          name,
          ...(f.parent ? { parent: f.parent } : {}),
          description: String(ctx.params.description ?? ''),
          snaptime: Math.floor(Date.now() / 1000),
          config: keptConfig(g),
          ...(ram ? { vmstate: `${store}:vm-${g.vmid}-state-${name}` } : {}),
        });
        f.parent = name;
      },
      'snapshot',
    );
  };
}

function rollback(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    const name = String(ctx.params.snapname);
    const f = fileOf(g);
    const wasRunning = g.status === 'running';
    return worker(
      ctx,
      g,
      `${prefix[kind]}rollback`,
      () => {
        if (isTemplate(g)) throw new PveError(500, "you can't rollback if vm is a template\n");
        findSnap(g, name);
        checkLock(g);
      },
      () => [
        ...(wasRunning
          ? [kind === 'qemu' ? `VM ${g.vmid} stopping` : `stopping CT ${g.vmid}`]
          : []),
        ...volumes(findSnap(g, name).config).map(
          ([, v]) => `  Logical volume "${v.split(':')[1]}" successfully rolled back`,
        ),
      ],
      () => {
        const snap = findSnap(g, name);
        // __snapshot_apply_config: the snapshot's options, keeping description and unused disks.
        const kept = Object.fromEntries(
          Object.entries(g.config).filter(([k]) => k === 'description' || /^unused\d+$/.test(k)),
        );
        g.config = { ...kept, ...snap.config };
        f.pending = {};
        f.pendingDelete = [];
        f.parent = name;
        delete g.paused;
        if (snap.vmstate || flag(ctx.params.start)) {
          g.status = 'running';
          g.startedAt = Math.floor(Date.now() / 1000);
          applyPending(g);
        } else {
          g.status = 'stopped';
          delete g.startedAt;
        }
      },
      'rollback',
    );
  };
}

function remove(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    const name = String(ctx.params.snapname);
    const f = fileOf(g);
    return worker(
      ctx,
      g,
      `${prefix[kind]}delsnapshot`,
      () => {
        findSnap(g, name);
        checkLock(g);
        if (isTemplate(g))
          throw new PveError(500, "you can't delete a snapshot if vm is a template\n");
      },
      () =>
        volumes(findSnap(g, name).config).map(
          ([, v]) => `  Logical volume "snap_${v.split(':')[1]}_${name}" successfully removed.`,
        ),
      () => {
        const snap = findSnap(g, name);
        // Children and the current state hang from its parent now.
        for (const s of f.snapshots) if (s.parent === name) s.parent = snap.parent;
        if (f.parent === name) f.parent = snap.parent;
        f.snapshots = f.snapshots.filter((s) => s !== snap);
      },
      'snapshot-delete',
    );
  };
}

function list(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    const f = fileOf(g);
    return [
      ...f.snapshots.map((s) => ({
        name: s.name,
        ...(s.parent ? { parent: s.parent } : {}),
        description: s.description,
        snaptime: s.snaptime,
        ...(kind === 'qemu' ? { vmstate: s.vmstate ? 1 : 0 } : {}),
      })),
      { name: 'current', description: 'You are here!', ...(f.parent ? { parent: f.parent } : {}) },
    ];
  };
}

export function snapshotRoutes(kind: GuestKind): Record<string, Handler> {
  const base = `/nodes/{node}/${kind}/{vmid}/snapshot`;
  return {
    [`GET ${base}`]: list(kind),
    [`POST ${base}`]: create(kind),
    [`POST ${base}/{snapname}/rollback`]: rollback(kind),
    [`DELETE ${base}/{snapname}`]: remove(kind),
  };
}
