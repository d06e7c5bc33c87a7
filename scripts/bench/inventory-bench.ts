// The full inventory of a node with many guests (issue 16): 100 cheap
// inactive guests defined on the lab node for the run (undefined afterwards,
// also after a failure), then the load measured as inventory-load.ts does.
import { type BenchContext, type Measure } from './common';
import { measureInventory } from './inventory-load';
import { defineGuests, undefineGuests } from './many-guests';

const GUESTS = 100;
const PREFIX = 'cd-bench-inv';

export async function benchInventory(ctx: BenchContext): Promise<Measure[]> {
  const admin = await ctx.connect();
  try {
    await undefineGuests(admin, PREFIX); // left over by an interrupted run
    await defineGuests(admin, PREFIX, GUESTS);
    return await measureInventory(ctx, `inventory with ${GUESTS} guests defined`, GUESTS);
  } finally {
    await undefineGuests(admin, PREFIX).catch((err: Error) =>
      process.stderr.write(`bench: ${err.message}\n`),
    );
    admin.close();
  }
}
