// Live migration: the wall time of Clusterdeck's Migrate VM (the task from
// the call to its end: `virsh migrate` on the source with progress polling)
// against the same `virsh migrate` typed on the source node, for the same
// running guest between the same two nodes, alternating directions; and the
// encrypted move (tunnelled through the nodes' SSH trust) against the plain
// one in the same run. TLS is not measured: the lab's nodes hold no certificates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../../core/backend';
import { migrateArgv } from '../../core/drivers/libvirt/migrate';
import type { MigrationTransport } from '../../shared/migration';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { giveTlsCertificates } from '../lab-tls';
import { measure, type BenchContext, type Measure } from './common';

const RUNS = 3;
const GUEST = 'lab-tiny-1';
// No disk, no display (no port to collide with other labs on the machine);
// QEMU's loader device fills its memory from FILE, present on both nodes.
const FULL_FILE = '/var/lib/libvirt/images/clusterdeck-bench-full.bin';
const FULL_GUEST =
  `<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>` +
  `<name>clusterdeck-bench-full</name><memory unit='MiB'>96</memory><vcpu>1</vcpu>` +
  `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices/>` +
  `<qemu:commandline><qemu:arg value='-device'/>` +
  `<qemu:arg value='loader,file=FILE,addr=0x1000000,force-raw=on'/></qemu:commandline></domain>`;

interface LabNode {
  name: string;
  host: string;
  dir: string;
  port: number;
  hostKeyFingerprint: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function until<T>(get: () => T | undefined, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchMigration(ctx: BenchContext, labScript: string): Promise<Measure[]> {
  const lab = JSON.parse(readFileSync(join(ctx.lab.dir, 'lab.json'), 'utf8')) as {
    nodes: LabNode[];
  };
  if (lab.nodes.length < 2) {
    process.stderr.write('bench: migration measures skipped: the lab has one node\n');
    return [];
  }
  const [a, b] = lab.nodes as [LabNode, LabNode];
  const onNode = (node: string, argv: string[]) =>
    execFileSync(labScript, ['exec', node, ...argv], {
      env: { ...process.env, LAB_DIR: ctx.lab.dir },
    }).toString();
  const forget = () => {
    for (const n of [a, b])
      onNode(n.name, [
        'sh',
        '-c',
        'rm -rf "$HOME"/.ssh/clusterdeck "$HOME"/.ssh/config "$HOME"/.ssh/id_ed25519* "$HOME"/.ssh/authorized_keys "$HOME"/.ssh/known_hosts',
      ]);
  };
  // QEMU certificates on both nodes, as an administrator installs them for
  // --tls; before Clusterdeck connects, since libvirtd restarts to read them.
  const takeTlsAway = giveTlsCertificates({ nodes: [a, b], exec: onNode }, [a.name, b.name]);
  const home = mkdtempSync(join(ctx.tmp, 'migration-'));
  const backend = await Backend.start({
    dataDir: home,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(home, 'none'),
    sshConfig: join(home, 'none'),
  });
  try {
    const ids: string[] = [];
    for (const n of [a, b]) {
      const { hostId } = (await backend.call('addHost', {
        name: n.name,
        address: n.host,
        port: n.port,
        user: ctx.lab.user,
        auth: 'key',
        keyPath: ctx.lab.keyPath,
        fingerprint: n.hostKeyFingerprint,
      })) as { hostId: string };
      ids.push(hostId);
    }
    await until(
      () =>
        ids.every((id) => backend.store.get('hosts', id)?.state === 'connected') ? true : undefined,
      'both nodes',
    );
    const made = (await backend.call('createCluster', { name: 'bench', hostIds: ids })) as {
      taskId: string;
    };
    const cluster = await until(() => {
      const t = backend.store.get('tasks', made.taskId);
      return t && t.state !== 'running' ? t : undefined;
    }, 'the cluster');
    if (cluster.error) throw new Error(`bench: ${cluster.error}`);

    const where = (guest = GUEST) =>
      backend.store.all('vms').find((v) => v.name === guest && v.state === 'running');
    const viaClusterdeck = async (
      to: string,
      transport: MigrationTransport = 'plain',
      guest = GUEST,
    ): Promise<number> => {
      const vm = await until(() => where(guest), `${guest} running`);
      const t = Date.now();
      const { taskId } = (await backend.call('migrateVms', {
        vmIds: [vm.id],
        targetHostId: to,
        transport,
      })) as {
        taskId: string;
      };
      const task = await until(() => {
        const x = backend.store.get('tasks', taskId);
        return x && x.state !== 'running' ? x : undefined;
      }, 'the migration');
      if (task.error) throw new Error(`bench: ${task.error}`);
      const took = Date.now() - t;
      if (transport === 'plain' && guest === GUEST)
        tasks.push((task.endedAt ?? Date.now()) - task.startedAt);
      await until(() => (where(guest)?.hostId === to ? true : undefined), `${guest} on the target`);
      return took;
    };
    const tasks: number[] = [];
    // The very command Migrate VM runs, by name instead of UUID.
    const virshArgs = (to: LabNode) =>
      migrateArgv(
        GUEST,
        { address: to.host, port: to.port, user: ctx.lab.user },
        { live: true, copyStorage: false, persist: true },
      );
    // As an administrator runs it: `ssh node virsh migrate …` with OpenSSH.
    const viaSsh = (from: LabNode, to: LabNode): number => {
      const t = Date.now();
      const remote = virshArgs(to)
        .map((a) => `'${a}'`)
        .join(' ');
      execFileSync('ssh', [
        // The lab's key and known_hosts, with this node's port instead of the first one's.
        ...ctx.sshBase.filter((a, i, all) => a !== '-p' && all[i - 1] !== '-p'),
        '-p',
        String(from.port),
        `${ctx.lab.user}@${from.host}`,
        remote,
      ]);
      return Date.now() - t;
    };
    // The same command run inside the node, with no SSH session around it.
    const inNode = (from: LabNode, to: LabNode): number => {
      const t = Date.now();
      onNode(from.name, virshArgs(to));
      return Date.now() - t;
    };
    const home0 = where()?.hostId === ids[0] ? 0 : 1;
    const nodes = home0 === 0 ? [a, b] : [b, a];
    const hostIds = home0 === 0 ? ids : [ids[1]!, ids[0]!];
    const cd: number[] = [];
    const ssh: number[] = [];
    const local: number[] = [];
    const cdTunnelled: number[] = [];
    const cdTls: number[] = [];
    // Every way moves the guest from the first node to the second; virsh brings it back.
    for (let i = 0; i < RUNS; i++) {
      cd.push(await viaClusterdeck(hostIds[1]!));
      inNode(nodes[1]!, nodes[0]!);
      await until(() => (where()?.hostId === hostIds[0] ? true : undefined), `${GUEST} back`);
      ssh.push(viaSsh(nodes[0]!, nodes[1]!));
      inNode(nodes[1]!, nodes[0]!);
      local.push(inNode(nodes[0]!, nodes[1]!));
      inNode(nodes[1]!, nodes[0]!);
      await until(() => (where()?.hostId === hostIds[0] ? true : undefined), `${GUEST} back`);
      // Encrypted: the same move through the source libvirtd's SSH connection.
      cdTunnelled.push(await viaClusterdeck(hostIds[1]!, 'tunnelled'));
      inNode(nodes[1]!, nodes[0]!);
      await until(() => (where()?.hostId === hostIds[0] ? true : undefined), `${GUEST} back`);
      // Encrypted by QEMU itself with the nodes' certificates.
      cdTls.push(await viaClusterdeck(hostIds[1]!, 'tls'));
      inNode(nodes[1]!, nodes[0]!);
      await until(() => (where()?.hostId === hostIds[0] ? true : undefined), `${GUEST} back`);
    }
    // lab-tiny-1's memory is nearly all zero pages (under 1 MiB moves), so its
    // time is libvirt's set-up on both ends. A guest whose memory holds 48 MiB
    // of random data (QEMU's loader device puts a file there) measures the
    // stream itself: plain one way, encrypted the other, alternating.
    const full = { plain: [] as number[], tunnelled: [] as number[], tls: [] as number[] };
    const fullVm = FULL_GUEST.replace('FILE', FULL_FILE);
    try {
      for (const n of nodes)
        onNode(n.name, ['sh', '-c', `head -c 48M /dev/urandom > ${FULL_FILE}`]);
      const xml = join(ctx.lab.dir, 'bench-full-guest.xml');
      writeFileSync(xml, fullVm);
      onNode(nodes[0]!.name, ['virsh', '-c', 'qemu:///system', 'define', xml]);
      onNode(nodes[0]!.name, ['virsh', '-c', 'qemu:///system', 'start', 'clusterdeck-bench-full']);
      for (let i = 0; i < RUNS; i++) {
        full.plain.push(await viaClusterdeck(hostIds[1]!, 'plain', 'clusterdeck-bench-full'));
        full.tunnelled.push(
          await viaClusterdeck(hostIds[0]!, 'tunnelled', 'clusterdeck-bench-full'),
        );
        full.tls.push(await viaClusterdeck(hostIds[1]!, 'tls', 'clusterdeck-bench-full'));
        full.tls.push(await viaClusterdeck(hostIds[0]!, 'tls', 'clusterdeck-bench-full'));
      }
    } finally {
      for (const n of nodes)
        onNode(n.name, [
          'sh',
          '-c',
          `exec 2>/dev/null; virsh -c qemu:///system destroy clusterdeck-bench-full; virsh -c qemu:///system undefine clusterdeck-bench-full; rm -f ${FULL_FILE}; exit 0`,
        ]);
    }
    const name = `live migration of ${GUEST}, median of ${RUNS}`;
    return [
      // From the call (which checks the target again) until the task ends.
      measure(name, 'ms', median(cd), '`ssh node virsh migrate` (OpenSSH)', median(ssh)),
      measure(name, 'ms', median(cd), 'virsh migrate inside the node, no SSH', median(local)),
      // The task alone: virsh migrate over the open SSH connection, progress polled.
      measure(
        `${name}, task only`,
        'ms',
        median(tasks),
        '`ssh node virsh migrate` (OpenSSH)',
        median(ssh),
      ),
      // What encryption costs: tunnelled against plain, both through Migrate VM, same run.
      measure(
        `${name}, encrypted (--p2p --tunnelled)`,
        'ms',
        median(cdTunnelled),
        'plain tcp:// through Clusterdeck',
        median(cd),
      ),
      measure(
        `${name}, encrypted (--tls)`,
        'ms',
        median(cdTls),
        'plain tcp:// through Clusterdeck',
        median(cd),
      ),
      measure(
        `live migration of a guest with 48 MiB of random memory, median of ${RUNS}, encrypted (--p2p --tunnelled)`,
        'ms',
        median(full.tunnelled),
        'plain tcp:// through Clusterdeck',
        median(full.plain),
      ),
      measure(
        `live migration of a guest with 48 MiB of random memory, median of ${RUNS * 2}, encrypted (--tls)`,
        'ms',
        median(full.tls),
        `plain tcp:// through Clusterdeck (median of ${RUNS})`,
        median(full.plain),
      ),
    ];
  } finally {
    backend.close();
    takeTlsAway();
    forget();
    rmSync(home, { recursive: true, force: true });
  }
}
