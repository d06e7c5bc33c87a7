// A node's full inventory load as Add Host or a reconnect makes it (SSH
// connect, stack probe, the libvirt driver's start), measured several times
// against OpenSSH replaying exactly the virsh commands the load ran, a
// connection per command and through a ControlMaster. Besides the table it
// says how the load spends its time: virsh commands and the writes that
// carried them (round trips to the node), and the CPU time of this process
// (process.cpuUsage: parsing, SSH crypto) against the wall time, the rest
// being the wait for sshd, virsh and libvirtd.
import type { ClientChannel } from 'ssh2';
import { probeNode } from '../../core/drivers/detect';
import { LibvirtDriver } from '../../core/drivers/libvirt/driver';
import { VirshShell } from '../../core/drivers/libvirt/virsh-shell';
import { InventoryStore } from '../../core/inventory/store';
import { SshSession } from '../../core/ssh/session';
import { measure, median, ms, type BenchContext, type Measure } from './common';
import { FRESH, MASTER, timedOverSsh, withControlMaster } from './openssh';

const RUNS = 7;

export interface LoadFigures {
  ms: number;
  /** This process's CPU time during the load (user + system), ms. */
  cpuMs: number;
  vms: number;
}

/** One full load from the SSH connect on, as the peers pay a connect per command. */
export async function loadFromConnect(ctx: BenchContext): Promise<LoadFigures> {
  const cpu0 = process.cpuUsage();
  const t = process.hrtime.bigint();
  const s = await ctx.connect();
  const probe = await probeNode(s);
  const store = new InventoryStore();
  const driver = new LibvirtDriver(s, 'bench', store, probe, () => undefined);
  await driver.start();
  const took = ms(t);
  const cpu = process.cpuUsage(cpu0);
  driver.stop();
  s.close();
  return { ms: took, cpuMs: (cpu.user + cpu.system) / 1000, vms: store.all('vms').length };
}

/** Runs one load recording its virsh commands and the writes to the open virsh that carried them. */
async function recordedLoad(ctx: BenchContext): Promise<{ commands: string[][]; writes: number }> {
  const commands: string[][] = [];
  let writes = 0;
  const origRun = VirshShell.prototype.run;
  const origOpen = SshSession.prototype.openChannel;
  VirshShell.prototype.run = function (argv, timeoutMs) {
    commands.push([...argv]);
    return origRun.call(this, argv, timeoutMs);
  };
  SshSession.prototype.openChannel = async function (argv) {
    const channel: ClientChannel = await origOpen.call(this, argv);
    if (argv[0] === 'virsh') {
      const write = channel.write.bind(channel) as (...a: unknown[]) => boolean;
      channel.write = ((...a: unknown[]) => {
        writes++;
        return write(...a);
      }) as ClientChannel['write'];
    }
    return channel;
  };
  try {
    await loadFromConnect(ctx);
  } finally {
    VirshShell.prototype.run = origRun;
    SshSession.prototype.openChannel = origOpen;
  }
  return { commands, writes };
}

/** The load's measures against both peers, named `what` (its VM and command counts added). */
export async function measureInventory(
  ctx: BenchContext,
  what: string,
  minVms = 0,
): Promise<Measure[]> {
  // Warms libvirtd's caches for every side alike, and records what a load runs.
  const { commands, writes } = await recordedLoad(ctx);
  const replay = commands.filter((c) => c[0] !== 'uri');
  const loads: LoadFigures[] = [];
  for (let i = 0; i < RUNS; i++) loads.push(await loadFromConnect(ctx));
  const vms = loads[0]!.vms;
  if (vms < minVms) throw new Error(`the load found ${vms} VMs, not ${minVms} or more`);
  const times = loads.map((l) => l.ms);
  const cd = median(times);
  const cpu = median(loads.map((l) => l.cpuMs));
  process.stderr.write(
    `bench: ${what}, ${vms} VMs: ${commands.length} virsh commands in ${writes} writes to the open virsh ` +
      `(${(commands.length / vms).toFixed(2)} commands per VM); load median ${cd.toFixed(0)} ms ` +
      `(${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}, ${RUNS} runs), ` +
      `of which this process's CPU ${cpu.toFixed(0)} ms (median), the rest waiting for the node\n`,
  );
  const fresh = timedOverSsh(ctx, [], replay);
  const master = await withControlMaster(ctx, async (cm) => {
    timedOverSsh(ctx, cm, replay.slice(0, 3));
    return timedOverSsh(ctx, cm, replay);
  });
  const name = `${what}, ${vms} VMs (${replay.length} virsh commands), median of ${RUNS}`;
  return [measure(name, 'ms', cd, FRESH, fresh), measure(name, 'ms', cd, MASTER, master)];
}
