// HA's hold on guests as PVE's API has it: qm/pct start, stop and shutdown
// of a guest HA manages become requests to HA, and status/current says so.
// Applied to the route table (cluster.ts), so guests.ts stays HA-blind.
import type { Ctx, Handler } from './context';
import { haOf, schedule } from './ha';
import type { ClusterState, Guest } from './state';

/**
 * qm/pct start, stop and shutdown of a guest HA manages, as PVE's API does
 * them: no direct action, but an `hastart`/`hastop` task that sets the
 * resource's requested state (the CRM then acts). Undefined for another guest.
 */
export function haPowerRequest(ctx: Ctx, g: Guest, action: string): string | undefined {
  const r = [...haOf(ctx.sim.state).resources.values()].find((x) => x.vmid === g.vmid);
  if (!r || r.state === 'ignored' || !['start', 'stop', 'shutdown'].includes(action))
    return undefined;
  const start = action === 'start';
  return ctx.sim.tasks.start(g.node, start ? 'hastart' : 'hastop', String(g.vmid), ctx.user, {
    lines: [`Requesting HA ${start ? 'start' : 'stop'} for VM ${g.vmid}`],
    finish: () => {
      r.state = start ? 'started' : 'stopped';
      schedule(ctx, r.sid);
    },
  });
}

/** The `ha` of a guest's status/current: managed, with its requested state when it is. */
export function guestHaStatus(state: ClusterState, vmid: number): Record<string, unknown> {
  const r = [...haOf(state).resources.values()].find((x) => x.vmid === vmid);
  return r
    ? { managed: 1, state: r.state, ...(r.group ? { group: r.group } : {}) }
    : { managed: 0 };
}

/**
 * The guest routes as PVE's API serves them for HA guests: start, stop and
 * shutdown become HA requests (haPowerRequest), status/current says `ha`.
 * Applied once to the route table, so the guests' own handlers stay HA-blind.
 */
export function withHaGuests(routes: Record<string, Handler>): void {
  for (const kind of ['qemu', 'lxc'] as const) {
    for (const action of ['start', 'stop', 'shutdown']) {
      const key = `POST /nodes/{node}/${kind}/{vmid}/status/${action}`;
      const plain = routes[key];
      if (!plain) continue;
      routes[key] = (ctx) => {
        const g = ctx.sim.state.guests.get(Number(ctx.params.vmid));
        const mine = g && g.node === ctx.params.node && (g.kind === 'lxc') === (kind === 'lxc');
        return (mine && haPowerRequest(ctx, g, action)) || plain(ctx);
      };
    }
    const key = `GET /nodes/{node}/${kind}/{vmid}/status/current`;
    const plain = routes[key];
    if (plain)
      routes[key] = (ctx) => ({
        ...(plain(ctx) as Record<string, unknown>),
        ha: guestHaStatus(ctx.sim.state, Number(ctx.params.vmid)),
      });
  }
}
