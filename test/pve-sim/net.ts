// Separate Proxmox VE nodes, each in no cluster, that can reach each other:
// what `pvecm create` on one and `pvecm add` on the others make a cluster of.
// Each node answers from its own state until it joins; one task engine and
// one set of tokens and tickets serve them all (a task's UPID names its node,
// and a joined node's tasks are still read after its state became the
// cluster's). The lab's daemon and the tests start them; test infrastructure.
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { NetNode, Sim, SimNet } from './context';
import { loadSchema, type PveVersion } from './schema';
import { makeCert, pveHandler, type Front, type SimTicket } from './server';
import { seedStandalone } from './state';
import { TaskEngine } from './tasks';

export interface BareNodeDef {
  name: string;
  ip: string;
  cert: string;
  key: string;
}

export interface BareNet {
  net: SimNet;
  tasks: TaskEngine;
  tokens: Record<string, string>;
  tickets: Record<string, SimTicket>;
  violations: string[];
  /** Each node's pveproxy front (its state changes to the cluster's when it joins one). */
  fronts: Map<string, Front>;
  /** Each node's request handler (pveproxy), answering as that node. */
  handlers: Map<string, ReturnType<typeof pveHandler>>;
}

export function makeBareNet(
  defs: BareNodeDef[],
  o: { version: PveVersion; rootPassword: string; taskStepMs?: number },
): BareNet {
  const schema = loadSchema(o.version);
  const tasks = new TaskEngine(o.taskStepMs ?? 200);
  const tokens: Record<string, string> = {};
  const tickets: Record<string, SimTicket> = {};
  const violations: string[] = [];
  const net: SimNet = { nodes: [] };
  const handlers = new Map<string, ReturnType<typeof pveHandler>>();
  const fronts = new Map<string, Front>();
  for (const d of defs) {
    const sim: Sim = { schema, state: seedStandalone(d.name, d.ip), tasks, tokens, net };
    const node: NetNode = {
      name: d.name,
      ip: d.ip,
      fingerprint: new X509Certificate(d.cert).fingerprint256,
      rootPassword: o.rootPassword,
      front: { sim },
    };
    net.nodes.push(node);
    const front: Front = Object.assign(node.front, { tickets, local: d.name, violations });
    fronts.set(d.name, front);
    handlers.set(d.name, pveHandler(front));
  }
  return { net, tasks, tokens, tickets, violations, fronts, handlers };
}

export interface RunningBareNode {
  name: string;
  host: string;
  port: number;
  fingerprint: string;
}

/** Test use: N bare nodes pve1..N, each on its own 127.0.0.1 port with its own certificate. */
export async function startBareNet(
  count: number,
  o: { version?: PveVersion; rootPassword?: string; taskStepMs?: number } = {},
): Promise<{ bare: BareNet; nodes: RunningBareNode[]; close(): Promise<void> }> {
  const names = Array.from({ length: count }, (_, i) => `pve${i + 1}`);
  const certs = names.map((n) => makeCert(n));
  const bare = makeBareNet(
    names.map((name, i) => ({ name, ip: `192.0.2.${11 + i}`, ...certs[i]! })),
    {
      version: o.version ?? 'pve9',
      rootPassword: o.rootPassword ?? 'lab',
      taskStepMs: o.taskStepMs ?? 10,
    },
  );
  const servers: Server[] = [];
  const nodes: RunningBareNode[] = [];
  for (const [i, name] of names.entries()) {
    const handle = bare.handlers.get(name)!;
    const server = createServer(certs[i]!, (req, res) => {
      handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    nodes.push({
      name,
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      fingerprint: bare.net.nodes[i]!.fingerprint,
    });
  }
  return {
    bare,
    nodes,
    close: async () => {
      bare.tasks.stopAll();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections();
              s.close(() => r());
            }),
        ),
      );
    },
  };
}
