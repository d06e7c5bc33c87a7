// The Proxmox lab's API: one simulator state for the whole cluster (a PVE
// cluster's API answers the same from every node) and one HTTPS listener per
// node, each answering as that node's pveproxy (`local` in /cluster/status,
// `localhost` in a path) with that node's certificate. Each listener is a
// Unix socket in the lab folder; scripts/lab-pve forwards the node's own
// 127.0.0.1:8006 (in the node's network namespace) to it. Test infrastructure:
// scripts/lab-pve bundles and starts it; nothing in the app imports it.
//
//   node daemon.mjs CONFIG.json     (see LabDaemonConfig)
import { crmCommand } from '../pve-sim/ha';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { pveHandler, type SimTicket } from '../pve-sim/server';
import { loadSchema, type PveVersion } from '../pve-sim/schema';
import { seedCluster } from '../pve-sim/state';
import { TaskEngine } from '../pve-sim/tasks';
import type { Sim } from '../pve-sim/context';

export interface LabDaemonConfig {
  version: PveVersion;
  clusterName: string;
  /** Node i of the cluster: its name, its listener's socket, its certificate files. */
  nodes: { name: string; socket: string; cert: string; key: string }[];
  /** The login ticket of the nodes' own root (pvesh and the other stand-ins). */
  ticket: string;
  csrf: string;
  /** Written once every listener listens. */
  readyFile: string;
  taskStepMs?: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LabDaemonConfig;
  const sim: Sim = {
    schema: loadSchema(config.version),
    state: seedCluster({ nodes: config.nodes.length, clusterName: config.clusterName }),
    tasks: new TaskEngine(config.taskStepMs ?? 200),
    tokens: {},
  };
  const tickets: Record<string, SimTicket> = {
    [config.ticket]: { user: 'root@pam', csrf: config.csrf },
  };
  const violations: string[] = [];
  for (const node of config.nodes) {
    const handle = pveHandler({ sim, tickets, local: node.name, violations });
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
        crmCommand(sim, line);
      } catch (err) {
        console.error(`crm command: ${(err as Error).message}`);
      }
    }
  }, 200).unref();
  // A schema violation is a simulator bug: logged where the lab's log is.
  setInterval(() => {
    while (violations.length) console.error(`schema violation: ${violations.shift()}`);
  }, 1000).unref();
  writeFileSync(config.readyFile, `${process.pid}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      sim.tasks.stopAll();
      process.exit(0);
    });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
