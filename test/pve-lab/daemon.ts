// The Proxmox lab's API: one simulator state for the whole cluster (a PVE
// cluster's API answers the same from every node) and one HTTPS listener per
// node, each answering as that node's pveproxy (`local` in /cluster/status,
// `localhost` in a path) with that node's certificate. Each listener is a
// Unix socket in the lab folder; scripts/lab-pve forwards the node's own
// 127.0.0.1:8006 (in the node's network namespace) to it. Test infrastructure:
// scripts/lab-pve bundles and starts it; nothing in the app imports it.
// With `bare` (scripts/lab-pve up --bare) each node starts in no cluster with
// a state of its own (pve-sim/net.ts) until `pvecm create` / `pvecm add`.
//
//   node daemon.mjs CONFIG.json     (see LabDaemonConfig)
import { crmCommand } from '../pve-sim/ha';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { dirname, join } from 'node:path';
import { pveHandler, pveUpgradeHandler, type Front, type SimTicket } from '../pve-sim/server';
import { loadSchema, type PveVersion } from '../pve-sim/schema';
import { seedCluster } from '../pve-sim/state';
import { startTinyQemu, type TinyQemu } from '../pve-sim/qemu-display';
import { TaskEngine } from '../pve-sim/tasks';
import { makeBareNet } from '../pve-sim/net';
import type { DisplaySource, Sim } from '../pve-sim/context';

export interface LabDaemonConfig {
  version: PveVersion;
  clusterName: string;
  /** How many guests the cluster starts with (seedCluster's `guests`). */
  guests?: number;
  /** Node i of the cluster: its name, its address, its listener's socket, its certificate files. */
  nodes: { name: string; ip: string; socket: string; cert: string; key: string }[];
  /** Nodes in no cluster, each with its own state, instead of one cluster. */
  bare?: boolean;
  /** A Ceph on the cluster (not with `bare`): healthy, or an OSD down. */
  ceph?: 'ok' | 'warn';
  /** The nodes' root@pam password (what a join gives). */
  rootPassword: string;
  /** The login ticket of the nodes' own root (pvesh and the other stand-ins). */
  ticket: string;
  csrf: string;
  /** Written once every listener listens. */
  readyFile: string;
  taskStepMs?: number;
}

/** Node -> `METHOD /path` (no query) -> how many requests its listener took. */
const requests: Record<string, Record<string, number>> = {};

function countRequest(node: string, req: IncomingMessage): void {
  const key = `${req.method ?? 'GET'} ${(req.url ?? '/').replace(/\?.*$/, '')}`;
  const mine = (requests[node] ??= {});
  mine[key] = (mine[key] ?? 0) + 1;
}

/** The lab's running QEMU guests by vmid (started by their first console). */
const guests = new Map<number, Promise<TinyQemu>>();

/**
 * A VM's display is a real tiny QEMU, started the first time its console is
 * opened (so a lab that opens none runs none), its sockets in
 * `<lab>/<node>/qemu-server/` as a node keeps them in /var/run/qemu-server.
 * A container has none here (no vncterm in the lab).
 */
function qemuDisplays(sim: Sim, config: LabDaemonConfig): DisplaySource {
  return async (vmid) => {
    const g = sim.state.guests.get(vmid);
    const node = config.nodes.find((n) => n.name === g?.node);
    if (!g || g.kind !== 'qemu' || !node) return undefined;
    let q = guests.get(vmid);
    if (!q) {
      q = startTinyQemu(join(dirname(node.socket), 'qemu-server'), vmid);
      guests.set(vmid, q);
      q.catch(() => guests.delete(vmid));
    }
    return q;
  };
}

/** One cluster's state answered by every node (the lab's default). */
function oneCluster(config: LabDaemonConfig): Map<string, Front> {
  const state = seedCluster({
    nodes: config.nodes.length,
    clusterName: config.clusterName,
    guests: config.guests,
    ...(config.ceph ? { ceph: config.ceph } : {}),
  });
  const sim: Sim = {
    schema: loadSchema(config.version),
    state,
    tasks: new TaskEngine(config.taskStepMs ?? 200),
    tokens: {},
  };
  const tickets: Record<string, SimTicket> = {};
  const violations: string[] = [];
  return new Map(config.nodes.map((n) => [n.name, { sim, tickets, local: n.name, violations }]));
}

/** Nodes in no cluster, each its own state until `pvecm create` / `pvecm add` (pve-sim/net.ts). */
function bareNodes(config: LabDaemonConfig): Map<string, Front> {
  const defs = config.nodes.map((n) => ({
    name: n.name,
    ip: n.ip,
    cert: readFileSync(n.cert, 'utf8'),
    key: readFileSync(n.key, 'utf8'),
  }));
  return makeBareNet(defs, {
    version: config.version,
    rootPassword: config.rootPassword,
    taskStepMs: config.taskStepMs ?? 200,
  }).fronts;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LabDaemonConfig;
  const fronts = config.bare ? bareNodes(config) : oneCluster(config);
  // Every state gets the lab's displays and CA (a joined node answers from its cluster's state).
  // The lab has no cluster CA: the first node's certificate stands in.
  const rootCa = readFileSync(config.nodes[0]!.cert, 'utf8');
  for (const { sim } of fronts.values()) {
    sim.displays = qemuDisplays(sim, config);
    sim.rootCa = rootCa;
  }
  const first = fronts.get(config.nodes[0]!.name)!;
  const { tickets, violations } = first;
  tickets[config.ticket] = { user: 'root@pam', csrf: config.csrf };
  for (const node of config.nodes) {
    const front = fronts.get(node.name)!;
    const handle = pveHandler(front);
    const upgrade = pveUpgradeHandler(front);
    const server = createServer(
      { key: readFileSync(node.key, 'utf8'), cert: readFileSync(node.cert, 'utf8') },
      (req, res) => {
        countRequest(node.name, req);
        handle(req, res).catch((err: unknown) => {
          res.writeHead(500, 'internal error');
          res.end(JSON.stringify({ data: null, message: String(err) }));
        });
      },
    );
    // WebSockets (vncwebsocket) as pveproxy upgrades them.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgrade(req, socket, head).catch(() => socket.destroy());
    });
    rmSync(node.socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(node.socket, resolve);
    });
  }
  // HA's CRM: the commands ha-manager writes into /etc/pve/ha/crm_commands
  // (the lab's shared etc-pve folder), taken every 200 ms as PVE's CRM takes them each round.
  const crmFile = config.readyFile.replace(/[^/]*$/, 'etc-pve/ha/crm_commands');
  setInterval(() => {
    let text = '';
    try {
      text = readFileSync(crmFile, 'utf8');
      if (text) writeFileSync(crmFile, '');
    } catch {
      return; // no command yet
    }
    for (const line of text.split('\n').filter(Boolean)) {
      try {
        crmCommand(first.sim, line);
      } catch (err) {
        console.error(`crm command: ${(err as Error).message}`);
      }
    }
  }, 200).unref();
  // A schema violation is a simulator bug: logged where the lab's log is.
  setInterval(() => {
    while (violations.length) console.error(`schema violation: ${violations.shift()}`);
  }, 1000).unref();
  // The requests each node's pveproxy answered (the bench's idle cost), on
  // SIGUSR2 into daemon.counts.json beside the ready file, `seq` counting the dumps.
  let dumps = 0;
  process.on('SIGUSR2', () => {
    const file = config.readyFile.replace(/[^/]*$/, 'daemon.counts.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq: ++dumps, requests }) + '\n');
    renameSync(`${file}.tmp`, file);
  });
  writeFileSync(config.readyFile, `${process.pid}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      first.sim.tasks.stopAll();
      for (const q of guests.values()) void q.then((g) => g.stop());
      // QEMU goes on SIGTERM at once; the lab's down also stops it by its pid file.
      setTimeout(() => process.exit(0), 200);
    });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
