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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { pveHandler, type SimTicket } from '../pve-sim/server';
import { loadSchema, type PveVersion } from '../pve-sim/schema';
import { seedCluster } from '../pve-sim/state';
import { TaskEngine } from '../pve-sim/tasks';
import { makeBareNet } from '../pve-sim/net';
import type { Sim } from '../pve-sim/context';

export interface LabDaemonConfig {
  version: PveVersion;
  clusterName: string;
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

type Handle = ReturnType<typeof pveHandler>;

/** One cluster's state answered by every node (the lab's default). */
function oneCluster(config: LabDaemonConfig) {
  const sim: Sim = {
    schema: loadSchema(config.version),
    state: seedCluster({
      nodes: config.nodes.length,
      clusterName: config.clusterName,
      ...(config.ceph ? { ceph: config.ceph } : {}),
    }),
    tasks: new TaskEngine(config.taskStepMs ?? 200),
    tokens: {},
  };
  const tickets: Record<string, SimTicket> = {};
  const violations: string[] = [];
  const handlers = new Map<string, Handle>(
    config.nodes.map((n) => [n.name, pveHandler({ sim, tickets, local: n.name, violations })]),
  );
  return { tickets, violations, handlers, tasks: sim.tasks };
}

function bareNodes(config: LabDaemonConfig) {
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
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LabDaemonConfig;
  const { tickets, violations, handlers, tasks } = config.bare
    ? bareNodes(config)
    : oneCluster(config);
  tickets[config.ticket] = { user: 'root@pam', csrf: config.csrf };
  for (const node of config.nodes) {
    const handle = handlers.get(node.name)!;
    const server = createServer(
      { key: readFileSync(node.key, 'utf8'), cert: readFileSync(node.cert, 'utf8') },
      (req, res) => {
        handle(req, res).catch((err: unknown) => {
          res.writeHead(500, 'internal error');
          res.end(JSON.stringify({ data: null, message: String(err) }));
        });
      },
    );
    rmSync(node.socket, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(node.socket, resolve);
    });
  }
  // A schema violation is a simulator bug: logged where the lab's log is.
  setInterval(() => {
    while (violations.length) console.error(`schema violation: ${violations.shift()}`);
  }, 1000).unref();
  writeFileSync(config.readyFile, `${process.pid}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      tasks.stopAll();
      process.exit(0);
    });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
