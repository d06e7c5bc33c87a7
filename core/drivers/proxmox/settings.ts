// Edit settings of a Proxmox VE guest: its config read with its digest
// (`GET …/config`), the user's settings turned into one `PUT …/config`
// (memory, balloon, cores, sockets, name or hostname, notes, start at boot,
// each NIC's bridge, a new NIC) passing that digest, so an edit made
// meanwhile elsewhere is refused as PVE refuses it, and one `PUT …/resize`
// worker per grown disk (PVE only grows them). The review says which
// changes a running guest takes only at its next start: PVE keeps those in
// its config's pending section, read back after the change (`…/pending`).
import { ClusterdeckError } from '../../../shared/errors';
import type { InstanceChange, InstanceNow, InstanceSettings } from '../../../shared/instance';
import type { Vm } from '../../../shared/model';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { pveshCommand, type PveParams } from './pvesh';
import { runWorker } from './tasks';

export type GuestRef = { node: string; vmid: number; type: 'qemu' | 'lxc' };
type Config = Record<string, string | number | undefined>;

const DISK = /^(scsi|virtio|sata|ide|rootfs|mp)\d*$/;
const byIndex = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** A config's `memory` (PVE 8.1+: `[current=]<MiB>`, a property string) in MiB. */
export function memoryMiB(value: string | number | undefined, fallback = 512): number {
  const m = /(?:^|current=)(\d+)/.exec(String(value ?? ''));
  return m ? Number(m[1]) : fallback;
}

/** A volume's `size=` in MiB (`32G`, `512M`, `1T`). */
export function sizeMiB(value: string): number {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT])?/.exec(value);
  if (!m) return 0;
  return Math.round(Number(m[1]) * 1024 ** ('KMGT'.indexOf(m[2] ?? 'M') - 1));
}

/** The guest's NICs and disks (not CD drives), each in its key's order. */
function devices(config: Config) {
  const keys = Object.keys(config).sort(byIndex);
  return {
    nics: keys.filter((k) => /^net\d+$/.test(k)),
    disks: keys.filter((k) => DISK.test(k) && !String(config[k]).includes('media=cdrom')),
  };
}

const bridgeOf = (nic: string | number | undefined) =>
  /(?:^|,)bridge=([^,]+)/.exec(String(nic ?? ''))?.[1] ?? '';

/** What a config says now, as the editor starts from it. */
export function settingsNow(g: GuestRef, config: Config, running: boolean): InstanceNow {
  const { nics, disks } = devices(config);
  const memory = memoryMiB(config.memory);
  const qemu = g.type === 'qemu';
  const balloon = config.balloon === undefined ? memory : Number(config.balloon);
  return {
    running,
    maxMemoryMiB: memory,
    // qemu's balloon: 0 turns ballooning off (no minimum then); containers have none.
    minMemoryMiB: qemu && balloon > 0 ? balloon : memory,
    ...(!qemu || balloon === 0 ? { noMinMemory: true } : {}),
    vcpus: Number(config.cores ?? 1),
    ...(qemu ? { sockets: Number(config.sockets ?? 1) } : {}),
    nicLinks: nics.map((k) => bridgeOf(config[k])),
    nicLabels: nics.map((k) => `${k} bridge`),
    diskSizesMiB: disks.map((k) => sizeMiB(String(config[k]))),
    diskLabels: disks.map((k) => `${k} size (MiB)`),
    diskTemplate: [...new Set(disks.map((k) => String(config[k]).split(':')[0]))].join(', '),
    name: String((qemu ? config.name : config.hostname) ?? ''),
    notes: String(config.description ?? ''),
    onboot: Number(config.onboot ?? 0) === 1,
    digest: String(config.digest ?? ''),
  };
}

/** Options a running guest takes only at its next start (PVE's default hotplug: network, disk, usb). */
function waitsForStart(g: GuestRef, key: string, config: Config): boolean {
  if (g.type === 'lxc') return false;
  const hotplug = String(config.hotplug ?? 'network,disk,usb');
  if (key === 'memory' || key === 'balloon') return key === 'memory' && !/memory/.test(hotplug);
  if (/^net\d+$/.test(key)) return !/network|^1$/.test(hotplug);
  return key === 'cores' || key === 'sockets';
}

export interface SettingsPlan {
  changes: InstanceChange[];
  problems: string[];
  /** The config change (with the digest), and the disks to grow ('32768M'). */
  params: Record<string, string | number>;
  resizes: { disk: string; size: string }[];
  now: InstanceNow;
}

/** The config change the settings ask for, and what stands in the way. */
export function planSettings(
  g: GuestRef,
  vmName: string,
  config: Config,
  running: boolean,
  s: InstanceSettings,
): SettingsPlan {
  const now = settingsNow(g, config, running);
  const { nics, disks } = devices(config);
  const changes: InstanceChange[] = [];
  const problems: string[] = [];
  const params: Record<string, string | number> = {};
  const deletes: string[] = [];
  const set = (
    key: string,
    what: string,
    before: string,
    after: string,
    value: string | number,
  ) => {
    if (before === after) return;
    params[key] = value;
    changes.push({ what, before, after, atNextStart: running && waitsForStart(g, key, config) });
  };
  if (s.maxMemoryMiB !== undefined)
    set('memory', 'Memory', `${now.maxMemoryMiB} MiB`, `${s.maxMemoryMiB} MiB`, s.maxMemoryMiB);
  if (g.type === 'qemu' && !now.noMinMemory && s.minMemoryMiB !== undefined)
    set(
      'balloon',
      'Minimum memory (balloon)',
      `${now.minMemoryMiB} MiB`,
      `${s.minMemoryMiB} MiB`,
      s.minMemoryMiB,
    );
  const mem = s.maxMemoryMiB ?? now.maxMemoryMiB;
  if (g.type === 'qemu' && !now.noMinMemory && (s.minMemoryMiB ?? now.minMemoryMiB) > mem)
    problems.push(`The minimum memory (balloon) cannot be more than the memory (${mem} MiB).`);
  if (s.vcpus !== undefined)
    set(
      'cores',
      g.type === 'qemu' ? 'Cores per socket' : 'Cores',
      String(now.vcpus),
      String(s.vcpus),
      s.vcpus,
    );
  if (g.type === 'qemu' && s.sockets !== undefined)
    set('sockets', 'Sockets', String(now.sockets), String(s.sockets), s.sockets);
  if (s.name !== undefined && s.name !== '')
    set(
      g.type === 'qemu' ? 'name' : 'hostname',
      g.type === 'qemu' ? 'Name' : 'Host name',
      now.name ?? '',
      s.name,
      s.name,
    );
  if (s.notes !== undefined && s.notes !== now.notes) {
    const short = (t: string) => (t ? (t.length > 40 ? `${t.slice(0, 40)}…` : t) : '(none)');
    if (s.notes === '') deletes.push('description');
    else params.description = s.notes;
    changes.push({
      what: 'Notes',
      before: short(now.notes ?? ''),
      after: short(s.notes),
      atNextStart: false,
    });
  }
  if (s.onboot !== undefined)
    set(
      'onboot',
      'Start at boot',
      now.onboot ? 'yes' : 'no',
      s.onboot ? 'yes' : 'no',
      s.onboot ? 1 : 0,
    );
  for (const { index, link } of s.nicLinks) {
    const key = nics[index];
    if (!key) {
      problems.push(`${vmName} has no NIC ${index}.`);
      continue;
    }
    const value = String(config[key]);
    set(
      key,
      `${key} bridge`,
      bridgeOf(value),
      link,
      value.replace(/((?:^|,)bridge=)[^,]+/, `$1${link}`),
    );
  }
  let free = 0;
  for (const { link } of s.addNics) {
    while (config[`net${free}`] !== undefined || params[`net${free}`] !== undefined) free++;
    const key = `net${free}`;
    const value =
      g.type === 'qemu'
        ? `virtio,bridge=${link}`
        : `name=eth${free},bridge=${link},ip=dhcp,type=veth`;
    params[key] = value;
    changes.push({
      what: `New NIC ${key}`,
      before: '(none)',
      after: `on ${link}`,
      atNextStart: running && waitsForStart(g, key, config),
    });
  }
  const resizes: { disk: string; size: string }[] = [];
  for (const { index, toMiB } of s.growDisks) {
    const key = disks[index];
    const had = now.diskSizesMiB[index];
    if (!key || had === undefined) {
      problems.push(`${vmName} has no disk ${index}.`);
      continue;
    }
    if (toMiB === had) continue;
    if (toMiB < had) {
      problems.push(`Proxmox VE only grows disks: ${key} is ${had} MiB, not less.`);
      continue;
    }
    resizes.push({ disk: key, size: `${toMiB}M` });
    changes.push({
      what: `${key} size`,
      before: `${had} MiB`,
      after: `${toMiB} MiB`,
      atNextStart: false,
    });
  }
  if (deletes.length) params.delete = deletes.join(',');
  if (Object.keys(params).length) params.digest = s.digest ?? now.digest ?? '';
  if (params.digest === '') delete params.digest;
  return { changes, problems, params, resizes, now };
}

const base = (g: GuestRef) => `/nodes/${g.node}/${g.type}/${g.vmid}`;

/** The settings editor's plan, read from the guest's config now. */
export async function guestSettingsPlan(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  s: InstanceSettings,
) {
  const config = await api.get<Config>(`${base(g)}/config`);
  const p = planSettings(g, vm.name, config ?? {}, vm.state === 'running', s);
  const commands = [
    ...(Object.keys(p.params).length ? [pveshCommand('PUT', `${base(g)}/config`, p.params)] : []),
    ...p.resizes.map((r) => pveshCommand('PUT', `${base(g)}/resize`, r)),
  ];
  return { changes: p.changes, problems: p.problems, now: p.now, commands, plan: p };
}

/**
 * Applies the settings: the config (refused by PVE when its digest moved
 * since the review), then each disk's growth as a worker; says which
 * changes wait for the next start, as PVE's pending section lists them.
 */
export async function applyGuestSettings(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  s: InstanceSettings,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  const { plan } = await guestSettingsPlan(api, g, vm, s);
  if (plan.problems.length) throw new ClusterdeckError('invalid-input', plan.problems.join(' '));
  const hasConfig = Object.keys(plan.params).length > 0;
  const titles = [
    ...(hasConfig ? [`Change ${vm.name}'s config`] : []),
    ...plan.resizes.map((r) => `Grow ${r.disk} to ${r.size}`),
  ];
  if (!titles.length)
    throw new ClusterdeckError('invalid-input', `Nothing in ${vm.name}'s settings changed.`);
  ctx.setSteps(titles);
  let step = 0;
  const run = async (fn: () => Promise<unknown>) => {
    ctx.stepState(step, 'running');
    try {
      await fn();
      ctx.stepState(step++, 'done');
    } catch (err) {
      ctx.stepState(step, 'failed');
      throw err;
    }
  };
  const call = { log: ctx.log, signal: ctx.signal };
  if (hasConfig) await run(() => api.set(`${base(g)}/config`, plan.params as PveParams, call));
  for (const r of plan.resizes)
    await run(() => runWorker(api, `${base(g)}/resize`, r, ctx, pollMs, [], 'PUT'));
  if (vm.state !== 'running' || !hasConfig) return;
  const pending = await api
    .get<{ key: string; pending?: string; delete?: number }[]>(`${base(g)}/pending`, {}, call)
    .catch(() => []);
  const waiting = (pending ?? [])
    .filter((p) => p.pending !== undefined || p.delete)
    .map((p) => p.key);
  if (waiting.length)
    ctx.detail(
      `${vm.name} runs: ${waiting.join(', ')} take effect at its next start (pending in Proxmox VE).`,
    );
}
