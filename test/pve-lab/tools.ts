// The Proxmox lab's command stand-ins (pveversion, pvesh, pveum, qm, pct,
// pvecm), one bundle run as `pve-tools.mjs TOOL ARGS...` by the wrappers
// scripts/lab-pve puts first on the nodes' PATH. They speak to the node's
// own API (127.0.0.1:8006) and print what the real tools print, for the
// commands Clusterdeck runs over SSH. Test infrastructure only.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgError, parseArgs, type Parsed } from './tool-args';
import { pvecm } from './pvecm';
import { api, apiData, die, failure, textOutput, waitTask } from './tool-api';

function print(data: unknown, p: Parsed): void {
  if (p.quiet) return;
  if (p.format === 'yaml') die("pve-tools: the lab does not simulate pvesh's yaml output\n");
  if (p.format === 'json') process.stdout.write(`${JSON.stringify(data ?? null)}\n`);
  else if (p.format === 'json-pretty')
    process.stdout.write(`${JSON.stringify(data ?? null, null, 4)}\n`);
  else process.stdout.write(textOutput(data, p.text));
}

const VERBS: Record<string, string> = {
  get: 'GET',
  create: 'POST',
  set: 'PUT',
  delete: 'DELETE',
};

async function pvesh(argv: string[]): Promise<void> {
  const verb = argv[0];
  const method = verb && VERBS[verb];
  if (!method)
    die(`ERROR: unknown command 'pvesh ${verb ?? ''}'\nUSAGE: pvesh <COMMAND> [ARGS] [OPTIONS]\n`);
  const p = parseArgs(argv.slice(1), 1);
  const path = p.positional[0];
  if (!path) die(`400 not enough arguments\npvesh ${verb} <api_path> [OPTIONS] [FORMAT_OPTIONS]\n`);
  const a = await api(method, path.replace(/\/+$/, '') || '/', p.pairs);
  if (a.status === 501) die(`No '${verb}' handler defined for '${path}'\n`);
  if (a.status !== 200) die(failure(a));
  print(a.data, p);
}

async function pveversion(argv: string[]): Promise<void> {
  const s = (await apiData('GET', '/nodes/localhost/status')) as {
    pveversion: string;
    'current-kernel': { release: string };
  };
  const kernel = s['current-kernel'].release;
  if (argv.includes('-v') || argv.includes('--verbose')) {
    const v = s.pveversion.split('/');
    process.stdout.write(
      `proxmox-ve: ${v[1]} (running kernel: ${kernel})\npve-manager: ${v[1]} (running version: ${v[1]}/${v[2]})\n`,
    );
    return;
  }
  process.stdout.write(`${s.pveversion} (running kernel: ${kernel})\n`);
}

async function pveum(argv: string[]): Promise<void> {
  const [obj, sub, action] = argv;
  if (obj !== 'user' || sub !== 'token')
    die(`ERROR: unknown command 'pveum ${argv.slice(0, 3).join(' ')}'\n`);
  const p = parseArgs(argv.slice(3), 2);
  const [user, name] = p.positional;
  if (!user || !name) die('400 not enough arguments\n');
  const path = `/access/users/${user}/token/${name}`;
  if (action === 'add') return print(await apiData('POST', path, p.pairs), p);
  if (action === 'remove' || action === 'delete') {
    await apiData('DELETE', path);
    return;
  }
  die(`ERROR: unknown command 'pveum user token ${action ?? ''}'\n`);
}

interface GuestRow {
  vmid: number;
  name?: string;
  status: string;
  maxmem?: number;
  maxdisk?: number;
  pid?: number;
  lock?: string;
}

async function guestList(kind: 'qemu' | 'lxc'): Promise<GuestRow[]> {
  const rows = (await apiData('GET', `/nodes/localhost/${kind}`)) as GuestRow[];
  return rows.sort((a, b) => a.vmid - b.vmid);
}

/** qm(1)/pct(1) start, stop, shutdown, reboot (qm: suspend, resume): the worker runs and the tool waits for it. */
async function power(kind: 'qemu' | 'lxc', tool: string, argv: string[]): Promise<void> {
  const [action, vmid] = argv;
  if (!vmid || !/^\d+$/.test(vmid))
    die(`400 not enough arguments\n${tool} ${action} <vmid> [OPTIONS]\n`);
  const p = parseArgs(argv.slice(2), 0);
  const upid = (await apiData(
    'POST',
    `/nodes/localhost/${kind}/${vmid}/status/${action}`,
    p.pairs,
  )) as string;
  await waitTask(upid);
}

/** qm(1)/pct(1) config: the guest's config on this node as `key: value` lines, sorted, no digest. */
async function guestConfig(kind: 'qemu' | 'lxc', tool: string, argv: string[]): Promise<void> {
  const vmid = argv[1];
  if (!vmid || !/^\d+$/.test(vmid))
    die(`400 not enough arguments\n${tool} config <vmid> [OPTIONS]\n`);
  const conf = (await apiData('GET', `/nodes/localhost/${kind}/${vmid}/config`)) as Record<
    string,
    unknown
  >;
  const lines = Object.keys(conf)
    .filter((k) => k !== 'digest')
    .sort()
    .map((k) => `${k}: ${String(conf[k])}\n`);
  process.stdout.write(lines.join(''));
}

/**
 * qm(1)/pct(1) status: `status: running`; with --verbose every field of the
 * guest's status/current, one `key: value` a line, sorted (as qm prints them).
 */
async function status(kind: 'qemu' | 'lxc', tool: string, argv: string[]): Promise<void> {
  const vmid = argv[1];
  if (!vmid || !/^\d+$/.test(vmid))
    die(`400 not enough arguments\n${tool} status <vmid> [OPTIONS]\n`);
  const verbose = argv.slice(2).some((a) => a === '--verbose' || a === '-verbose');
  const st = (await apiData('GET', `/nodes/localhost/${kind}/${vmid}/status/current`)) as Record<
    string,
    unknown
  >;
  if (!verbose) {
    process.stdout.write(`status: ${String(st.status)}\n`);
    return;
  }
  const lines = Object.keys(st)
    .sort()
    .filter((k) => typeof st[k] !== 'object')
    .map((k) => `${k}: ${String(st[k])}\n`);
  process.stdout.write(lines.join(''));
}

const fmt = (f: string, ...a: (string | number)[]): string => {
  let i = 0;
  return f.replace(
    /%(-?)(\d*)(?:\.(\d+))?([sf])/g,
    (_m, left: string, w: string, prec: string, t: string) => {
      const v = a[i++]!;
      const s = t === 'f' ? Number(v).toFixed(Number(prec ?? 6)) : String(v);
      return left ? s.padEnd(Number(w || 0)) : s.padStart(Number(w || 0));
    },
  );
};

async function qm(argv: string[]): Promise<void> {
  const cmd = argv[0];
  if (cmd === 'list') {
    let out = fmt(
      '%10s %-20s %-10s %-10s %12s %-10s\n',
      'VMID',
      'NAME',
      'STATUS',
      'MEM(MB)',
      'BOOTDISK(GB)',
      'PID',
    );
    for (const g of await guestList('qemu')) {
      out += fmt(
        '%10s %-20s %-10s %-10s %12.2f %-10s\n',
        g.vmid,
        (g.name ?? '').slice(0, 20),
        g.status,
        Math.floor((g.maxmem ?? 0) / 1024 / 1024),
        (g.maxdisk ?? 0) / 1024 ** 3,
        g.pid ?? 0,
      );
    }
    process.stdout.write(out);
    return;
  }
  if (cmd === 'status') return status('qemu', 'qm', argv);
  if (cmd && ['start', 'stop', 'shutdown', 'reboot', 'suspend', 'resume'].includes(cmd))
    return power('qemu', 'qm', argv);
  if (cmd === 'config') return guestConfig('qemu', 'qm', argv);
  die(`ERROR: unknown command 'qm ${cmd ?? ''}'\n`);
}

async function pct(argv: string[]): Promise<void> {
  const cmd = argv[0];
  if (cmd === 'list') {
    let out = fmt('%-10s %-10s %-12s %-20s\n', 'VMID', 'Status', 'Lock', 'Name');
    for (const g of await guestList('lxc'))
      out += fmt('%-10s %-10s %-12s %-20s\n', g.vmid, g.status, g.lock ?? '', g.name ?? '');
    process.stdout.write(out.replace(/ +\n/g, '\n'));
    return;
  }
  if (cmd === 'status') return status('lxc', 'pct', argv);
  if (cmd && ['start', 'stop', 'shutdown', 'reboot'].includes(cmd))
    return power('lxc', 'pct', argv);
  if (cmd === 'config') return guestConfig('lxc', 'pct', argv);
  die(`ERROR: unknown command 'pct ${cmd ?? ''}'\n`);
}

/** Where ha-manager's CRM commands go: a file the CRM (the lab's daemon) reads, as in PVE. */
const CRM_COMMANDS = '/etc/pve/ha/crm_commands';

/**
 * ha-manager(1): `add SID [--state S]` (the API's POST /cluster/ha/resources),
 * `status` (HA's status, one `type status` a line), and `crm-command
 * node-maintenance enable|disable NODE`, which writes the CRM's command
 * file, no API call, as the real tool does.
 */
async function haManager(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === 'add') {
    const p = parseArgs(rest, 1);
    await apiData('POST', '/cluster/ha/resources', [['sid', p.positional[0]!], ...p.pairs]);
    return;
  }
  if (cmd === 'status') {
    const rows = (await apiData('GET', '/cluster/ha/status/current')) as {
      type: string;
      status: string;
    }[];
    process.stdout.write(rows.map((r) => `${r.type} ${r.status}\n`).join(''));
    return;
  }
  if (cmd === 'crm-command' && rest[0] === 'node-maintenance') {
    const [, verb, node] = rest;
    if (
      (verb !== 'enable' && verb !== 'disable') ||
      !node ||
      !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(node)
    )
      die('400 wrong arguments\nha-manager crm-command node-maintenance <enable|disable> <node>\n');
    const nodes = (await apiData('GET', '/cluster/status')) as { type: string; name: string }[];
    if (!nodes.some((n) => n.type === 'node' && n.name === node))
      die(`Node '${node}' does not exist in the cluster\n`);
    mkdirSync(dirname(CRM_COMMANDS), { recursive: true });
    appendFileSync(CRM_COMMANDS, `${verb}-node-maintenance ${node}\n`);
    return;
  }
  die(`ERROR: unknown command 'ha-manager ${argv.join(' ')}'\n`);
}

const TOOLS: Record<string, (argv: string[]) => Promise<void>> = {
  'ha-manager': haManager,
  pvesh,
  pveversion,
  pveum,
  qm,
  pct,
  pvecm,
};

const [tool, ...rest] = process.argv.slice(2);
const run = tool ? TOOLS[tool] : undefined;
if (!run) die(`pve-tools: unknown tool ${tool ?? ''}`);
run(rest).catch((err: unknown) =>
  die(err instanceof ArgError ? err.message : `${tool}: ${(err as Error).message}`),
);
