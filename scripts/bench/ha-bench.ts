// HA failover, against the real HA lab (scripts/lab-ha, started here when
// it is not up, and taken down again): a copy of the lab guest on the
// shared folder is made a VirtualDomain resource with the product's own
// Protect with HA (a Clusterdeck backend with the three nodes added as
// hosts); then, 3 times, the node it runs on loses its power (`lab-ha
// fence`: every process of it killed) and two clocks start: until `virsh
// domstate` on a survivor says running (what an administrator polling the
// survivors sees), and until the backend's store shows the VM running on a
// survivor (what Clusterdeck's window shows). The node is powered on again
// and rejoins before the next round; the VM stays where it went
// (stickiness), so each round fences wherever it runs then.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Backend } from '../../core/backend';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { measure, type Measure } from './common';
import { HaLabAccess, sleep, until, type HaLabJson } from './ha-lab-access';

const RUNS = 3;
const VM = 'cd-bench-ha';
const PEER_EVERY_MS = 250;
const STORE_EVERY_MS = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

export async function benchHa(repo: string, tmp: string): Promise<Measure[]> {
  const lab = new HaLabAccess(repo);
  const up = lab.isUpSync();
  if (!up) {
    say('starting the HA lab…');
    await lab.command(['up', '3']);
  } else {
    // A node an interrupted run left fenced is powered on again.
    for (const n of lab.read().nodes)
      if (!lab.isOnSync(n.name)) await lab.command(['power-on', n.name]);
  }
  try {
    const l = lab.read();
    say(`HA lab guests run under ${l.kvm ? 'KVM (/dev/kvm)' : 'TCG (no /dev/kvm)'}`);
    if (up) await cleanUp(lab, l);
    try {
      return await withBackend(lab, l, tmp);
    } finally {
      if (up) await cleanUp(lab, l);
    }
  } finally {
    if (!up) await lab.command(['down']);
  }
}

/** A copy of the lab guest on the shared folder, defined and started on hanode1. */
async function defineVm(lab: HaLabAccess, l: HaLabJson): Promise<void> {
  copyFileSync(join(l.sharedDir, `${l.guest.name}.qcow2`), join(l.sharedDir, `${VM}.qcow2`));
  const xml = readFileSync(join(l.sharedDir, `${l.guest.name}.xml`), 'utf8')
    .replace(`<name>${l.guest.name}</name>`, `<name>${VM}</name>`)
    .replace(l.guest.disk, `${l.nodeSharedDir}/${VM}.qcow2`);
  writeFileSync(join(l.sharedDir, `${VM}-src.xml`), xml);
  const virsh = ['virsh', '-c', 'qemu:///system'];
  await lab.exec('hanode1', [...virsh, 'define', `${l.nodeSharedDir}/${VM}-src.xml`]);
  await lab.exec('hanode1', [...virsh, 'start', VM]);
}

/**
 * The resource dropped (stopped through Pacemaker first: one deleted while
 * it runs is an orphan whose stop fails, and fences its node), the domain
 * gone from every node, the files removed.
 */
async function cleanUp(lab: HaLabAccess, l: HaLabJson): Promise<void> {
  const on: string[] = [];
  for (const n of l.nodes) if (await lab.isOn(n.name)) on.push(n.name);
  if (!on.length) return;
  const first = on[0]!;
  if ((await lab.run(first, ['crm_resource', '--resource', VM, '--locate'])).code === 0) {
    await lab.run(first, ['crm', 'resource', 'stop', VM]);
    await lab.run(first, ['crm_resource', '--wait', '--timeout=120'], 180_000);
    await lab.run(first, ['crm', 'configure', 'delete', VM]);
  }
  for (const n of on) {
    await lab.run(n, ['virsh', '-c', 'qemu:///system', 'destroy', VM]);
    await lab.run(n, ['virsh', '-c', 'qemu:///system', 'undefine', VM]);
  }
  for (const f of [`${VM}.qcow2`, `${VM}.xml`, `${VM}-src.xml`])
    rmSync(join(l.sharedDir, f), { force: true });
}

async function withBackend(lab: HaLabAccess, l: HaLabJson, tmp: string): Promise<Measure[]> {
  await defineVm(lab, l);
  const home = mkdtempSync(join(tmp, 'ha-'));
  const backend = await Backend.start({
    dataDir: home,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(home, 'none'),
    sshConfig: join(home, 'none'),
  });
  try {
    const hostOf = new Map<string, string>(); // hostId -> node name
    for (const n of l.nodes) {
      const { hostId } = (await backend.call('addHost', {
        name: n.name,
        address: n.host,
        port: n.port,
        user: l.user,
        auth: 'key',
        keyPath: l.keyPath,
        fingerprint: n.hostKeyFingerprint,
      })) as { hostId: string };
      hostOf.set(hostId, n.name);
    }
    const hostIdOf = (node: string) => [...hostOf].find(([, name]) => name === node)![0];
    const connected = (node: string) =>
      backend.store.get('hosts', hostIdOf(node))?.state === 'connected';
    // Where the store shows the VM running (node names).
    const shownRunningOn = () =>
      backend.store
        .all('vms')
        .filter((v) => v.name === VM && v.state === 'running')
        .map((v) => hostOf.get(v.hostId) ?? '?');
    await until(
      () => backend.store.all('clusters').find((c) => c.ha?.nodes.every((n) => n.hostId)) && true,
      'the HA cluster recognised',
    );
    const vm = await until(
      () =>
        backend.store.all('vms').find((v) => v.name === VM && hostOf.get(v.hostId) === 'hanode1'),
      `${VM} on hanode1 in the store`,
    );
    // Protect with HA, as the VM's General tab does (no preferred node, so
    // stickiness keeps it where a failover put it).
    const { taskId } = (await backend.call('protectHa', { vmId: vm.id, preferred: [] })) as {
      taskId: string;
    };
    const task = await until(() => {
      const t = backend.store.get('tasks', taskId);
      return t && t.state !== 'running' ? t : undefined;
    }, 'Protect with HA');
    if (task.state !== 'succeeded')
      throw new Error(`bench: Protect with HA ${task.state}: ${task.error ?? ''}`);
    await until(
      async () =>
        /is running on: hanode1/.test(
          (await lab.run('hanode1', ['crm_resource', '--resource', VM, '--locate'])).stdout,
        ) || undefined,
      'the resource started on hanode1',
      120_000,
      500,
    );

    const peer: number[] = [];
    const cd: number[] = [];
    const names = l.nodes.map((n) => n.name);
    for (let i = 1; i <= RUNS; i++) {
      const where = await until(
        async () => {
          const states = await Promise.all(names.map((n) => lab.domstate(n, VM)));
          const running = names.filter((_, k) => states[k] === 'running');
          return running.length === 1 ? running[0] : undefined;
        },
        `${VM} running on exactly one node`,
        120_000,
        500,
      );
      await until(
        () => (names.every(connected) && shownRunningOn().join() === where) || undefined,
        `the backend connected to every node, showing ${VM} on ${where}`,
      );
      const survivors = names.filter((n) => n !== where);
      const r = await failover(lab, where, survivors, shownRunningOn);
      peer.push(r.peerMs);
      cd.push(r.clusterdeckMs);
      say(
        `HA round ${i}: ${where} lost; ${VM} running on ${r.peerNode} after ${s(r.peerMs)} (virsh), ` +
          `shown running on ${r.shownNode} after ${s(r.clusterdeckMs)} (Clusterdeck)`,
      );
      if (r.peerNode !== r.shownNode)
        throw new Error(`bench: virsh says ${r.peerNode}, Clusterdeck shows ${r.shownNode}`);
      await rejoin(
        lab,
        where,
        survivors,
        () => connected(where),
        async () => {
          // The user's Reconnect, rather than waiting out the backoff.
          await backend.call('reconnectHost', { hostId: hostIdOf(where) }).catch(() => undefined);
        },
      );
    }
    return [
      measure(
        `HA failover: node loss to VM shown running elsewhere (median of ${RUNS})`,
        's',
        median(cd) / 1000,
        '`virsh domstate` on the survivors',
        median(peer) / 1000,
      ),
    ];
  } finally {
    backend.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Failover {
  peerMs: number;
  peerNode: string;
  clusterdeckMs: number;
  shownNode: string;
}

/** Fences `where` and runs both clocks from the same t0 side by side. */
async function failover(
  lab: HaLabAccess,
  where: string,
  survivors: string[],
  shownRunningOn: () => string[],
): Promise<Failover> {
  const t0 = performance.now();
  await lab.command(['fence', where]);
  const peerWatch = async () => {
    // One probe per survivor every 250 ms; a node still answering the last
    // probe skips a tick (probes of a loaded machine may take longer).
    const busy = new Set<string>();
    let found: { node: string; ms: number } | undefined;
    const end = t0 + 300_000;
    while (!found) {
      if (performance.now() > end) throw new Error(`bench: ${VM} never ran on a survivor`);
      for (const n of survivors) {
        if (busy.has(n)) continue;
        busy.add(n);
        void lab.domstate(n, VM).then((state) => {
          busy.delete(n);
          if (state === 'running' && !found) found = { node: n, ms: performance.now() - t0 };
        });
      }
      await sleep(PEER_EVERY_MS);
    }
    return found;
  };
  const storeWatch = async () => {
    const node = await until(
      () => shownRunningOn().find((n) => survivors.includes(n)),
      `Clusterdeck showing ${VM} on a survivor`,
      300_000,
      STORE_EVERY_MS,
    );
    return { node, ms: performance.now() - t0 };
  };
  const [p, c] = await Promise.all([peerWatch(), storeWatch()]);
  return { peerMs: p.ms, peerNode: p.node, clusterdeckMs: c.ms, shownNode: c.node };
}

/** Powers the node on; waits until Pacemaker sees every node online and the backend is connected to it. */
async function rejoin(
  lab: HaLabAccess,
  node: string,
  survivors: string[],
  connected: () => boolean,
  reconnect: () => Promise<void>,
): Promise<void> {
  await lab.command(['power-on', node]);
  await until(
    async () => (await lab.online(survivors[0]!)).length === survivors.length + 1 || undefined,
    `${node} online again`,
    300_000,
    1000,
  );
  if (!connected()) await reconnect();
  await until(() => connected() || undefined, `the backend connected to ${node}`, 120_000, 500);
}
