// New Cluster on the Proxmox lab (scripts/lab-pve up 3 --bare): three nodes in
// no cluster, reached over SSH as real ones are, their API through the SSH
// tunnel with each node's certificate pinned. The driver's pieces read each
// node, check it (a guest on a joining node is a problem; PVE refuses that
// join, and its error reaches the task), make the cluster, remove a node;
// pvecm and pvesh over SSH confirm what the nodes say. Starts its own bare lab
// (in PVE_LAB_DIR) and takes it down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PveApiClient, apiTunnel } from '../../core/drivers/proxmox/api-client';
import {
  CERT_FINGERPRINT_ARGV,
  parseCertFingerprint,
} from '../../core/drivers/proxmox/certificate';
import {
  pveClusterCalls,
  pveClusterPreflight,
  reachArgv,
  readNodeFacts,
  removePveNode,
  runPveCluster,
} from '../../core/drivers/proxmox/cluster-create';
import { parseTokenAdd, tokenAddArgv } from '../../core/drivers/proxmox/token';
import {
  pveLabCommand,
  pveLabOrSkip,
  readPveLab,
  sshTo,
  type PveLab,
  type PveSsh,
} from '../pve-lab';
import { taskContext } from '../proxmox/sim-driver';

const canRun = pveLabOrSkip('pve-lab-cluster');

let lab: PveLab;
const ssh: Record<string, PveSsh> = {};
const apis: Record<string, PveApiClient> = {};

beforeAll(async () => {
  if (!canRun) return;
  pveLabCommand(['down']);
  pveLabCommand(['up', '3', '--bare']);
  lab = readPveLab();
  for (const n of lab.nodes) {
    ssh[n.name] = await sshTo(lab, n);
    const fp = parseCertFingerprint((await ssh[n.name]!.exec([...CERT_FINGERPRINT_ARGV])).stdout);
    const name = `clusterdeck-test-${n.name}`;
    const token = parseTokenAdd((await ssh[n.name]!.exec(tokenAddArgv(name))).stdout, name);
    apis[n.name] = new PveApiClient({
      node: n.name,
      openTunnel: apiTunnel(ssh[n.name]!),
      fingerprint: fp,
      token,
    });
  }
}, 90_000);

afterAll(() => {
  for (const a of Object.values(apis)) a.close();
  for (const s of Object.values(ssh)) s.close();
  if (canRun) pveLabCommand(['down']);
});

const byHost = (id: string) => apis[id]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!canRun)('Proxmox lab: New Cluster from bare nodes', () => {
  it('starts three nodes in no cluster', async () => {
    expect(lab.bare).toBe(true);
    const r = await ssh.pve1!.exec(['pvecm', 'status']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/does not exist - is this node part of a cluster\?/);
  });

  it('refuses a join with guests (PVE’s error), removes what joined, then makes the cluster of three', async () => {
    const links = Object.fromEntries(lab.nodes.map((n) => [n.name, n.host]));
    const spec = { name: 'labcl', hostIds: ['pve1', 'pve2', 'pve3'], links };
    const mk = await ssh.pve3!.exec([
      'pvesh',
      'create',
      '/nodes/localhost/qemu',
      '--vmid',
      '150',
      '--name',
      'stray',
    ]);
    expect(mk.code).toBe(0);
    await sleep(1500);

    const facts = await Promise.all(spec.hostIds.map((id) => readNodeFacts(id, byHost(id))));
    const reach: Record<string, boolean> = {};
    for (const id of ['pve2', 'pve3'])
      reach[id] = (await ssh[id]!.exec(reachArgv(links.pve1!))).code === 0;
    const findings = pveClusterPreflight(spec, facts, reach);
    expect(findings.filter((f) => f.level === 'problem').map((f) => f.detail)).toEqual([
      'pve3 has 1 VM(s) or container(s)',
    ]);

    const t = taskContext();
    const err = (await runPveCluster(
      pveClusterCalls(spec, facts),
      byHost,
      lab.rootPassword,
      t.ctx,
      200,
    ).catch((e: unknown) => e)) as Error & { joined: string[] };
    expect(err.message).toMatch(/pve3: .*failed: Check if node may join a cluster failed!/);
    expect(t.details).toContain('pve3: * this host already contains virtual guests');
    expect(err.joined).toEqual(['pve2']);
    expect(JSON.stringify([t.records, t.details])).not.toContain(lab.rootPassword);

    // Undo of the join that succeeded: pvecm delnode from the first node.
    await removePveNode(byHost('pve1'), 'pve2', taskContext().ctx);
    expect((await ssh.pve1!.exec(['pvecm', 'nodes'])).stdout).not.toMatch(/pve2/);

    const del = await ssh.pve3!.exec(['pvesh', 'delete', '/nodes/localhost/qemu/150']);
    expect(del.code).toBe(0);
    await sleep(1500);
    const again = await Promise.all(spec.hostIds.map((id) => readNodeFacts(id, byHost(id))));
    expect(pveClusterPreflight(spec, again, reach).filter((f) => f.level === 'problem')).toEqual([
      expect.objectContaining({ check: 'Not in a cluster' }),
    ]);
    // pve1 made the cluster already: only the joins run again.
    const joined = await runPveCluster(
      pveClusterCalls(spec, again).slice(1),
      byHost,
      lab.rootPassword,
      taskContext().ctx,
      200,
    );
    expect(joined).toEqual(['pve2', 'pve3']);

    const st = await ssh.pve3!.exec(['pvecm', 'status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/Name:\s+labcl/);
    expect(st.stdout).toMatch(/Nodes:\s+3/);
    expect(st.stdout).toMatch(/Quorate:\s+Yes/);
    const js = await ssh.pve2!.exec(['pvesh', 'get', '/cluster/status', '--output-format', 'json']);
    const rows = JSON.parse(js.stdout) as { type: string; name: string; local?: number }[];
    expect(rows.filter((r) => r.type === 'node').map((r) => r.name)).toEqual([
      'pve1',
      'pve2',
      'pve3',
    ]);
    expect(rows.find((r) => r.local)?.name).toBe('pve2');
  }, 120_000);

  it('pvecm add over SSH: wrong password refused; delnode removes a node', async () => {
    await removePveNode(byHost('pve1'), 'pve3', taskContext().ctx);
    const nodes = await ssh.pve1!.exec(['pvecm', 'nodes']);
    expect(nodes.stdout).toMatch(/^\s+1\s+1 pve1 \(local\)$/m);
    expect(nodes.stdout).not.toMatch(/pve3/);
    // pve3 is separated (alone again): pvecm add with a wrong password fails as PVE's login does.
    const fp = lab.nodes[0]!.apiFingerprint;
    const bad = await ssh.pve3!.exec([
      'sh',
      '-c',
      `echo wrong | pvecm add ${lab.nodes[0]!.host} --fingerprint ${fp}`,
    ]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain('401 authentication failure');
    const ok = await ssh.pve3!.exec([
      'sh',
      '-c',
      `printf '%s\\n' "$1" | pvecm add ${lab.nodes[0]!.host} --fingerprint ${fp}`,
      'x',
      lab.rootPassword,
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain("successfully added node 'pve3' to cluster.");
  }, 60_000);
});
