// What a guest needs of the node it moves to, checked there: a CPU it runs
// on (asked of the hypervisors, not compared by name) and the files it boots
// from (kernel, initrd, firmware outside shared storage).
import type { Finding } from '../../shared/cluster';
import type { Host, Vm } from '../../shared/model';
import type { GuestNeeds } from '../drivers/capabilities';
import type { NodeAccess } from '../hosts/connection';

/**
 * Whether the guest's CPU runs on the target. A host-passthrough CPU is the
 * node's own, so only an identical CPU will do. A named model is asked of
 * the target's hypervisor; when the target refuses it but the source
 * refuses it too, the guest runs there without that check and the target
 * is no worse.
 */
async function cpuFinding(
  vm: Vm,
  needs: GuestNeeds,
  source: Host,
  target: Host,
  sconn: NodeAccess,
  tconn: NodeAccess,
): Promise<Omit<Finding, 'check'> | undefined> {
  const guest = needs.cpu;
  if (guest.kind === 'host') {
    if (source.info?.cpuModel === target.info?.cpuModel) return undefined;
    return {
      level: 'warning',
      detail: `${vm.name} uses ${source.name}’s own CPU (${source.info?.cpuModel ?? '?'}); ${target.name} has ${target.info?.cpuModel ?? '?'}.`,
      fix: 'A guest with a host-passthrough CPU may not start on another CPU; give it the cluster CPU (New VM offers it).',
    };
  }
  const runsOn = (conn: NodeAccess) =>
    conn
      .getDriver()
      .cpuRuns(needs)
      .catch(() => undefined);
  const tdriver = tconn.getDriver();
  const there = await runsOn(tconn);
  const model = guest.model;
  if (there === true)
    return { level: 'ok', detail: `${target.name} runs ${vm.name}’s CPU (${model}).` };
  if (there === undefined)
    return {
      level: 'warning',
      detail: `${tdriver.hypervisorName} on ${target.name} could not compare ${vm.name}’s CPU (${model}).`,
    };
  if ((await runsOn(sconn)) === false)
    return {
      level: 'ok',
      detail: `${tdriver.hypervisorName} rates ${vm.name}’s CPU (${model}) the same on ${target.name} as on ${source.name}, where it runs.`,
    };
  return {
    level: 'problem',
    detail: `${target.name}’s CPU lacks features ${vm.name}’s CPU (${model}) needs.`,
    fix: 'Give the guest a CPU model every node runs (the cluster CPU), or choose another node.',
  };
}

/** The guest's CPU and boot files against the target, as findings named after the VM. */
export async function guestFindings(
  vm: Vm,
  source: Host,
  target: Host,
  sconn: NodeAccess,
  tconn: NodeAccess,
): Promise<Finding[]> {
  const needs = await sconn.getDriver().guestNeeds(vm);
  const out: Finding[] = [];
  const cpu = await cpuFinding(vm, needs, source, target, sconn, tconn);
  if (cpu) out.push({ check: `${vm.name}: CPU`, ...cpu });
  for (const file of needs.bootFiles) {
    const r = await tconn.run(['test', '-f', file], { timeoutMs: 15_000 });
    if (r.code !== 0)
      out.push({
        check: `${vm.name}: boot files`,
        level: 'problem',
        detail: `${vm.name} boots from ${file}, which is not on ${target.name}.`,
        fix: `Copy it to the same path on ${target.name}, or keep such files on storage both nodes share.`,
      });
  }
  return out;
}
