// PVE 9's HA rules (/cluster/ha/rules): node-affinity (preferred nodes with
// priorities, strict or not) and resource-affinity. No such paths in PVE 8's
// schema, so the server never routes them there.
import { PveError, flag, type Handler } from './context';
import { checkNodes, haOf, schedule, type SimHaRule } from './ha';

export const haRuleRoutes: Record<string, Handler> = {
  'GET /cluster/ha/rules': (ctx) =>
    [...haOf(ctx.sim.state).rules.values()]
      .filter((r) => !ctx.params.type || r.type === ctx.params.type)
      .filter(
        (r) => !ctx.params.resource || r.resources.split(',').includes(String(ctx.params.resource)),
      )
      .map((r) => ({
        rule: r.rule,
        type: r.type,
        resources: r.resources,
        ...(r.nodes ? { nodes: r.nodes } : {}),
        ...(r.type === 'node-affinity' ? { strict: r.strict ? 1 : 0 } : {}),
        ...(r.affinity ? { affinity: r.affinity } : {}),
        ...(r.disable ? { disable: 1 } : {}),
        ...(r.comment ? { comment: r.comment } : {}),
        digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4',
      })),
  'POST /cluster/ha/rules': (ctx) => {
    const ha = haOf(ctx.sim.state);
    const rule = String(ctx.params.rule);
    if (ha.rules.has(rule)) throw new PveError(500, `rule '${rule}' already defined\n`);
    const type = ctx.params.type as SimHaRule['type'];
    const resources = String(ctx.params.resources)
      .split(/[,;\s]+/)
      .filter(Boolean);
    for (const sid of resources)
      if (!ha.resources.has(sid))
        throw new PveError(500, `resource '${sid}' is not an HA resource\n`);
    const nodes = ctx.params.nodes as string | undefined;
    if (type === 'node-affinity') {
      if (!nodes) throw new PveError(400, `node-affinity rule '${rule}' needs nodes\n`);
      checkNodes(ctx, nodes);
    }
    ha.rules.set(rule, {
      rule,
      type,
      resources: resources.join(','),
      ...(nodes ? { nodes } : {}),
      strict: flag(ctx.params.strict),
      disable: flag(ctx.params.disable),
      ...(ctx.params.affinity ? { affinity: ctx.params.affinity as 'positive' } : {}),
      ...(ctx.params.comment !== undefined ? { comment: String(ctx.params.comment) } : {}),
    });
    for (const sid of resources) schedule(ctx, sid);
    return null;
  },
  'DELETE /cluster/ha/rules/{rule}': (ctx) => {
    const ha = haOf(ctx.sim.state);
    const rule = String(ctx.params.rule);
    if (!ha.rules.delete(rule)) throw new PveError(500, `no such ha rule '${rule}'\n`);
    return null;
  },
};
