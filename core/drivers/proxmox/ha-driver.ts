// The HA manager of the node's cluster, read with the driver's poll and
// driven by plans of API calls (ha.ts). The cost stays low on an idle
// cluster: /cluster/ha/status/current (one small file read by pveproxy) every
// HA_EVERY polls, or at once when the guests in /cluster/resources moved or
// changed state (what HA does shows there first); the resources and the
// groups or rules only when the services or their requested states in that
// status changed, or after Clusterdeck changed them.
import type { HaState } from '../../../shared/ha';
import type { PlanStepView } from '../../../shared/storage';
import type { Vm } from '../../../shared/model';
import type { InventoryStore } from '../../inventory/store';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import {
  preferenceId,
  preferenceKind,
  protectCalls,
  pveHaState,
  requestStateCall,
  serviceDigest,
  unprotectCalls,
  type HaPreferenceKind,
  type PveCall,
} from './ha';
import { pveScope } from './inventory';
import type { PveClusterStatus, PveResources } from './parse';
import { pveshCommand } from './pvesh';

/** Polls between two reads of the HA status when nothing moved (3 s each: 15 s). */
export const HA_EVERY = 5;

export interface PveHaHost {
  client: () => PveApiClient;
  /** The node's Proxmox VE major version (8: groups, 9: rules). */
  major: number;
  /** The node's label (host name) for plans and messages. */
  label: string;
  hostId: string;
}

/** What a plan shows: its calls as pvesh commands, or why it cannot run. */
export interface PveHaPlan {
  calls: PveCall[];
  problems: string[];
}

/** Guests as one string: what HA changes (state, node) shows here first. */
const guestSignature = (r: PveResources): string =>
  r.guests.map((g) => `${g.vmid}:${g.node}:${g.state}`).join(',');

export class PveHaFacet {
  readonly kind: HaPreferenceKind;
  private state: HaState | undefined;
  private raw: { resources: unknown; preferences: unknown; digest: string } | undefined;
  private polls = 0;
  private guests = '';
  /** The configuration changed by Clusterdeck: read again at the next read. */
  private stale = false;
  /** Why the last read failed (the last state stays, with it). */
  private problem: string | undefined;
  /** HA reads sent (status, configuration), for the idle cost. */
  readonly counts = { status: 0, config: 0 };

  constructor(private readonly host: PveHaHost) {
    this.kind = preferenceKind(host.major);
  }

  /** The last state read; undefined before the first read or on a node in no cluster. */
  get current(): HaState | undefined {
    return this.state;
  }

  /**
   * The driver's hook in each poll (or a read now, `now`); a failure is kept
   * as the state's problem. `current`: /cluster/ha/status/current as the
   * driver just read it beside /cluster/status, taken instead of a read.
   */
  async poll(
    status: PveClusterStatus,
    r: PveResources,
    now = false,
    current?: unknown,
  ): Promise<void> {
    try {
      if ((now || current !== undefined) && status.cluster) {
        this.guests = guestSignature(r);
        await this.read(status, pveScope(status), false, current);
      } else await this.onPoll(status, r, pveScope(status));
      this.problem = undefined;
    } catch (err) {
      this.problem = `The HA manager's state could not be read: ${(err as Error).message}`;
    }
  }

  /** The state to publish: each HA node named by the Clusterdeck host it is, when added. */
  publishable(hostIds: readonly string[], store: InventoryStore): HaState | undefined {
    const read = this.state;
    if (!read) return undefined;
    const hostOf = (node: string) =>
      hostIds.find((id) => {
        const hn = store.get('hosts', id)?.info?.hostname;
        return !!hn && (hn === node || hn.startsWith(`${node}.`));
      });
    const nodes = read.nodes.map((n) => {
      const hostId = hostOf(n.name);
      return hostId ? { ...n, hostId } : n;
    });
    return { ...read, nodes, ...(this.problem ? { problem: this.problem } : {}) };
  }

  /** Called with each poll's resources: reads when due; the state to publish. */
  async onPoll(
    status: PveClusterStatus,
    resources: PveResources,
    scope: string,
  ): Promise<HaState | undefined> {
    if (!status.cluster) return (this.state = undefined);
    const guests = guestSignature(resources);
    const due = !this.state || guests !== this.guests || ++this.polls >= HA_EVERY;
    this.guests = guests;
    if (due) await this.read(status, scope);
    return this.state;
  }

  /** Clusterdeck changed HA's configuration: the next read reads it too. */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * Reads now (the status, unless `given` is a fresh one); the configuration
   * too when `force`, after invalidate, or when the services changed.
   */
  async read(
    status: PveClusterStatus,
    scope: string,
    force = false,
    given?: unknown,
  ): Promise<HaState> {
    const api = this.host.client();
    this.polls = 0;
    let current = given;
    if (current === undefined) {
      current = await api.get('/cluster/ha/status/current');
      this.counts.status++;
    }
    const digest = serviceDigest(current);
    if (force || this.stale || !this.raw || this.raw.digest !== digest) {
      this.stale = false;
      const path = this.kind === 'groups' ? '/cluster/ha/groups' : '/cluster/ha/rules';
      const [resources, preferences] = await Promise.all([
        api.get('/cluster/ha/resources'),
        api.get(path),
      ]);
      this.counts.config++;
      this.raw = { resources, preferences, digest };
    }
    this.state = pveHaState(
      {
        status: current,
        resources: this.raw.resources,
        preferences: this.raw.preferences,
        kind: this.kind,
      },
      status,
      scope,
      this.host.hostId,
    );
    return this.state;
  }

  /** The HA resource of a guest, from the last read. */
  resourceOf(vm: Vm) {
    return this.state?.resources.find((r) => r.vmUuid === vm.uuid);
  }

  planProtect(vm: Vm, vmid: number, preferred: { node: string; score: number }[]): PveHaPlan {
    const ha = this.state;
    const problems: string[] = [];
    if (!ha) problems.push(`${this.host.label} is in no Proxmox VE cluster: HA needs one.`);
    else {
      if (this.resourceOf(vm)) problems.push(`${vm.name} is already protected with HA.`);
      if (!ha.quorate)
        problems.push(`${ha.clusterName} has no quorum: its HA manager would not act.`);
      for (const p of preferred)
        if (!ha.nodes.some((n) => n.name === p.node))
          problems.push(`${p.node} is not a node of ${ha.clusterName}.`);
      const own = preferenceId(vmid);
      if (preferred.length && this.raw && JSON.stringify(this.raw.preferences).includes(`"${own}"`))
        problems.push(
          `A ${this.kind === 'groups' ? 'group' : 'rule'} named ${own} exists already: remove it in Proxmox first.`,
        );
    }
    if (problems.length) return { calls: [], problems };
    const kind = vm.kind === 'container' ? 'container' : 'vm';
    const running = vm.state === 'running' || vm.state === 'paused';
    return {
      calls: protectCalls({ vmid, kind, name: vm.name, running, preferred }, this.kind),
      problems,
    };
  }

  planUnprotect(vm: Vm, vmid: number): PveHaPlan {
    const r = this.resourceOf(vm);
    if (!r) return { calls: [], problems: [`${vm.name} is not protected with HA.`] };
    // Only the group Clusterdeck made for this guest goes with it.
    const groups = this.kind === 'groups' ? JSON.stringify(this.raw?.preferences ?? []) : '';
    const own = preferenceId(vmid);
    const ownGroup = groups.includes(`"${own}"`) ? own : undefined;
    return { calls: unprotectCalls(r.id, vm.name, this.kind, ownGroup), problems: [] };
  }

  /** Start or stop a guest HA manages: its requested state; undefined for a guest it does not. */
  requestFor(vm: Vm, want: 'started' | 'stopped'): PveCall | undefined {
    const r = this.resourceOf(vm);
    return r?.managed ? requestStateCall(r.id, want) : undefined;
  }

  /** The calls as the plan summary shows them. */
  view(calls: PveCall[]): PlanStepView[] {
    return calls.map((c) => ({
      hostId: this.host.hostId,
      node: this.host.label,
      title: c.title,
      command: pveshCommand(c.method, c.path, c.params),
    }));
  }

  /** Runs the calls in order, each logged in the task as its pvesh command. */
  async run(calls: PveCall[], ctx: TaskContext): Promise<void> {
    ctx.setSteps(calls.map((c) => c.title));
    const api = this.host.client();
    for (const [i, c] of calls.entries()) {
      ctx.stepState(i, 'running');
      try {
        await api.call(c.method, c.path, c.params, { log: ctx.log, signal: ctx.signal });
        ctx.stepState(i, 'done');
      } catch (err) {
        ctx.stepState(i, 'failed');
        throw err;
      }
    }
  }
}
