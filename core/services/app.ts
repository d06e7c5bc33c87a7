// The app as a whole: the inventory a new page starts from, and what the
// user must hear about this start (notices, whether passwords can be saved).
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';

export class AppService {
  constructor(
    private readonly ctx: ServiceContext,
    /** Sentences about this start, from the settings and the hosts. */
    private readonly notices: () => readonly string[],
  ) {}

  readonly handlers: HandlersOf<'getInventory' | 'appStatus'> = {
    getInventory: async () => this.ctx.store.snapshot(),

    appStatus: async () => {
      const box = this.ctx.opts.secretBox;
      return {
        notices: [...this.notices()],
        rememberPasswords: box.canPersist
          ? { available: true }
          : {
              available: false,
              ...(box.whyNot ? { reason: box.whyNot } : {}),
            },
      };
    },
  };
}
