// Clone a Proxmox VE guest (`POST …/clone`, a worker followed by UPID):
// onto a node of the user's choice, with the id the cluster proposes
// (`GET /cluster/nextid`) or one the user gives, full (each disk copied)
// or linked (sharing a template's base volumes: PVE makes those from
// templates only, so Clone offers it only then). Convert to template
// (`POST …/template`) makes a stopped guest the base of linked clones.
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import type { CloneChoices, CloneExtras } from '../../../shared/vm-clone';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import type { GuestRef } from './settings';
import { runWorker } from './tasks';

const base = (g: GuestRef) => `/nodes/${g.node}/${g.type}/${g.vmid}`;

export async function readCloneChoices(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  onlineNodes: readonly string[],
): Promise<CloneChoices> {
  const [config, nextId] = await Promise.all([
    api.get<Record<string, unknown>>(`${base(g)}/config`),
    api.get<number | string>('/cluster/nextid'),
  ]);
  const template = Number(config?.template ?? 0) === 1;
  return {
    nodes: [g.node, ...onlineNodes.filter((n) => n !== g.node)],
    nextId: Number(nextId),
    template,
    ...(template
      ? {}
      : {
          linkedRefusal: `${vm.name} is not a template: Proxmox VE makes linked clones of templates only (Convert to template first).`,
        }),
  };
}

export async function cloneGuest(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  name: string,
  extras: CloneExtras,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  const newid = extras.newId ?? Number(await api.get<number | string>('/cluster/nextid'));
  const target = extras.targetNode && extras.targetNode !== g.node ? extras.targetNode : undefined;
  const params = {
    newid,
    [g.type === 'qemu' ? 'name' : 'hostname']: name,
    ...(target ? { target } : {}),
    full: extras.linked ? 0 : 1,
  };
  const title = `${extras.linked ? 'Linked clone' : 'Full clone'} of ${vm.name} as ${name} (${newid})${target ? ` on ${target}` : ''}`;
  await runAsOneStep(ctx, title, () => runWorker(api, `${base(g)}/clone`, params, ctx, pollMs));
}

/** Convert to template: a worker for a VM, done by the call itself for a container. */
export async function convertToTemplate(
  api: PveApiClient,
  g: GuestRef,
  vm: Vm,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  if (vm.state !== 'shutoff')
    throw new ClusterdeckError(
      'invalid-state',
      `${vm.name} runs: Proxmox VE converts only a stopped guest to a template. Shut it down first.`,
    );
  if (g.type === 'qemu') await runWorker(api, `${base(g)}/template`, {}, ctx, pollMs);
  else await api.create(`${base(g)}/template`, {}, { log: ctx.log, signal: ctx.signal });
}
