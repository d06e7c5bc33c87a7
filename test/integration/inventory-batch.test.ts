// The batched inventory load (domain-reads.ts: virsh list's filters for the
// whole node, one dumpxml per VM, pipelined on the open virsh) against the
// plain one (readAlone below: dumpxml, domstate and dominfo per VM)
// on a real libvirtd with many guests: every VM persistent or transient,
// autostarted or not, running, paused or shut off. Both must give exactly
// the same facts.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vm } from '../../shared/model';
import { probeNode } from '../../core/drivers/detect';
import {
  dumpDomainXml,
  listDomainUuids,
  read,
  readDomainState,
  withDefinedDisks,
  type DomainFacts,
} from '../../core/drivers/libvirt/commands';
import { LibvirtDriver } from '../../core/drivers/libvirt/driver';
import { readEach } from '../../core/drivers/libvirt/inventory';
import { parseKeyValues, yes } from '../../core/drivers/libvirt/parse';
import { parseDomainXml } from '../../core/drivers/libvirt/parse-domain';
import { VirshShell } from '../../core/drivers/libvirt/virsh-shell';
import { InventoryStore } from '../../core/inventory/store';
import type { SshSession } from '../../core/ssh/session';
import { defineGuests, undefineGuests } from '../../scripts/bench/many-guests';
import { LAB_DIR, openLabSession, virshOn } from '../lab';

const PREFIX = 'int-batch';
const COUNT = 60;
/** Running, transient: gone once destroyed. */
const TRANSIENT = 'int-batch-t';
/** Defined by defineGuests, then started and paused. */
const PAUSED = `${PREFIX}-060`;
const AUTOSTART = [`${PREFIX}-001`, `${PREFIX}-002`];
const transientXml = join(LAB_DIR, 'node1', `${TRANSIENT}.xml`);

async function connect(): Promise<SshSession> {
  return openLabSession();
}

function cleanUp(session: SshSession | undefined): Promise<void> {
  // Stops what runs of ours (an interrupted run's too); the transient one is then gone.
  const running = virshOn('node1', ['list', '--name']).split('\n');
  for (const name of [TRANSIENT, PAUSED]) {
    if (running.includes(name)) virshOn('node1', ['destroy', name]);
  }
  rmSync(transientXml, { force: true });
  return session ? undefineGuests(session, PREFIX) : Promise.resolve();
}

let session: SshSession;

beforeAll(async () => {
  session = await connect();
  await cleanUp(session); // an interrupted run's guests
  await defineGuests(session, PREFIX, COUNT);
  for (const name of AUTOSTART) virshOn('node1', ['autostart', name]);
  virshOn('node1', ['start', PAUSED]);
  virshOn('node1', ['suspend', PAUSED]);
  writeFileSync(
    transientXml,
    `<domain type='qemu'><name>${TRANSIENT}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
      `<os><type arch='x86_64'>hvm</type></os>` +
      `<devices><graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/></devices></domain>`,
  );
  virshOn('node1', ['create', transientXml]);
});

afterAll(async () => {
  await cleanUp(session);
  session?.close();
});

/** A VM entity as the plain read gives it: no inventory id, host or kept snapshots. */
function facts(vm: Vm): Record<string, unknown> {
  const { id: _id, hostId: _host, snapshots: _snapshots, ...rest } = vm;
  return rest;
}

/**
 * The reference: one VM read on its own, its state from `domstate` and its
 * persistence and autostart from `dominfo` (a command each) rather than from
 * the node's lists the batched load takes them from.
 */
async function readAlone(shell: VirshShell, uuid: string): Promise<DomainFacts> {
  const [xmlText, state, info] = await Promise.all([
    dumpDomainXml(shell, uuid),
    readDomainState(shell, uuid),
    read(shell, ['dominfo', uuid]),
  ]);
  const kv = parseKeyValues(info);
  return withDefinedDisks(shell, uuid, {
    ...parseDomainXml(xmlText),
    state,
    persistent: yes(kv['Persistent']),
    autostart: yes(kv['Autostart']),
  });
}

const byUuid = (a: { uuid: string }, b: { uuid: string }) => a.uuid.localeCompare(b.uuid);

describe('the batched inventory load', () => {
  it('gives exactly the facts of reading each VM on its own, with one virsh command per VM', async () => {
    // The batched load, as a connect makes it, its commands recorded.
    const commands: string[][] = [];
    const origRun = VirshShell.prototype.run;
    VirshShell.prototype.run = function (argv, timeoutMs) {
      commands.push([...argv]);
      return origRun.call(this, argv, timeoutMs);
    };
    const store = new InventoryStore();
    const driverSession = await connect();
    const errors: Error[] = [];
    const driver = new LibvirtDriver(
      driverSession,
      'batch',
      store,
      await probeNode(driverSession),
      (e) => errors.push(e),
    );
    let batched: Vm[];
    try {
      await driver.start();
      // Before stop(), which marks the node's VMs unknown.
      batched = store.all('vms').sort(byUuid);
    } finally {
      VirshShell.prototype.run = origRun;
      driver.stop();
      driverSession.close();
    }

    // The plain reads, one VM at a time, on a virsh of its own.
    const shell = await VirshShell.open(session, 'qemu:///system');
    let plain;
    try {
      const uuids = await listDomainUuids(shell);
      plain = (await readEach(uuids, (uuid) => readAlone(shell, uuid))).sort(byUuid);
    } finally {
      shell.close();
    }

    expect(errors).toEqual([]);
    expect(batched.length).toBeGreaterThanOrEqual(COUNT + 1);
    expect(batched.map(facts)).toEqual(plain);
    // Every kind of VM was there to compare.
    const named = (n: string) => batched.find((v) => v.name === n)!;
    expect(named(TRANSIENT)).toMatchObject({ state: 'running', persistent: false });
    expect(named(PAUSED)).toMatchObject({ state: 'paused', persistent: true });
    expect(named(AUTOSTART[0]!)).toMatchObject({ state: 'shutoff', autostart: true });
    expect(named(`${PREFIX}-010`)).toMatchObject({ autostart: false, persistent: true });
    // Batched: one dumpxml per VM and a few lists for the node, no per-VM dominfo or domstate.
    const per = (sub: string) => commands.filter((c) => c[0] === sub).length;
    expect(per('dominfo')).toBe(0);
    expect(per('domstate')).toBe(0);
    expect(commands.filter((c) => c[0] === 'dumpxml' && c[1] !== '--inactive').length).toBe(
      batched.length,
    );
  });
});
