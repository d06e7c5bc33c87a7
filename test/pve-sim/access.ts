// Access control: API tokens (pveum user token add/delete). The simulator
// knows one user, root@pam, as a fresh installation does.
import { randomUUID } from 'node:crypto';
import { flag, PveError, type Ctx, type Handler } from './context';

const USERS = ['root@pam'];

function tokenKey(ctx: Ctx): string {
  const user = String(ctx.params.userid);
  if (!USERS.includes(user)) throw new PveError(500, `no such user ('${user}')\n`);
  return `${user}!${String(ctx.params.tokenid)}`;
}

export const accessRoutes: Record<string, Handler> = {
  'POST /access/users/{userid}/token/{tokenid}': (ctx) => {
    const full = tokenKey(ctx);
    if (ctx.sim.tokens[full] !== undefined) throw new PveError(500, 'Token already exists.\n');
    const value = randomUUID();
    ctx.sim.tokens[full] = value;
    const info: Record<string, unknown> = {
      privsep: ctx.params.privsep === undefined || flag(ctx.params.privsep) ? 1 : 0,
    };
    if (ctx.params.expire !== undefined) info.expire = Number(ctx.params.expire);
    if (ctx.params.comment) info.comment = String(ctx.params.comment);
    return { 'full-tokenid': full, info, value };
  },
  'DELETE /access/users/{userid}/token/{tokenid}': (ctx) => {
    const full = tokenKey(ctx);
    if (ctx.sim.tokens[full] === undefined)
      throw new PveError(
        500,
        `no such token '${String(ctx.params.tokenid)}' for user '${String(ctx.params.userid)}'\n`,
      );
    delete ctx.sim.tokens[full];
    return null;
  },
};
