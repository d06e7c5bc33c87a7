// New VM and New Container where the cluster's API offers the choices per
// node (a driver with `guestCreation`, Proxmox VE): the plan shows the
// exact command (secrets masked) and what stands in the way; Create runs the
// driver's call as one task.
import { ClusterdeckError } from '../../shared/errors';
import type { GuestOptions, GuestSpec } from '../../shared/guest-create';
import type { GuestCreation } from '../drivers/capabilities';
import { taskTarget } from '../tasks/runner';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { refuseProblems } from './planned-operation';

/** How long the plan and Create reuse the options the wizard read (a read asks every node). */
const OPTIONS_FRESH_MS = 30_000;

export class GuestService {
  private readonly options = new Map<string, { at: number; read: Promise<GuestOptions> }>();

  constructor(private readonly ctx: ServiceContext) {}

  private readOptions(hostId: string, reuse: boolean): Promise<GuestOptions> {
    const had = this.options.get(hostId);
    if (reuse && had && Date.now() - had.at < OPTIONS_FRESH_MS) return had.read;
    const read = this.creation(hostId).readGuestOptions();
    this.options.set(hostId, { at: Date.now(), read });
    read.catch(() => this.options.delete(hostId));
    return read;
  }

  private creation(hostId: string): GuestCreation {
    const conn = this.ctx.connection(hostId);
    const c = conn.getDriver().guestCreation;
    if (!c)
      throw new ClusterdeckError(
        'unsupported',
        `${conn.config.name} makes no guests from its API's choices; use New VM's own steps.`,
      );
    return c;
  }

  private async plan(hostId: string, spec: GuestSpec) {
    const options = await this.readOptions(hostId, true);
    const { steps, problems } = this.creation(hostId).planGuest(spec, options);
    const node = this.ctx.connection(hostId).config.name;
    return {
      problems,
      steps: steps.map((s) => ({ hostId, node, title: s.title, command: s.command })),
    };
  }

  readonly handlers: HandlersOf<'getGuestOptions' | 'planGuest' | 'createGuest'> = {
    getGuestOptions: ({ hostId }) => this.readOptions(hostId, false),
    planGuest: ({ hostId, spec }) => this.plan(hostId, spec),
    createGuest: async ({ hostId, spec }) => {
      const plan = await this.plan(hostId, spec);
      refuseProblems(plan.problems);
      // The id is taken now: the next plan reads the cluster again.
      this.options.delete(hostId);
      const conn = this.ctx.connection(hostId);
      const creation = this.creation(hostId);
      const name = spec.kind === 'vm' ? spec.name : spec.hostname;
      const taskId = this.ctx.tasks.start(
        `${spec.kind === 'vm' ? 'New VM' : 'New Container'} ${name}`,
        taskTarget(conn.config.name, name),
        (ctx) => creation.createGuest(spec, ctx),
      );
      return { taskId };
    },
  };
}
