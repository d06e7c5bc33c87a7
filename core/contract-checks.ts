// Checks what the backend says against the contract's own schemas: every
// method's result (Backend.call) and every inventory patch (InventoryStore).
//
// On when CLUSTERDECK_CHECK_RESULTS=1, which vitest.config.ts sets for the
// whole run, so every lab test checks real node data (libvirt's answers as
// the driver parsed them) against the schemas. Off in production: results
// and patches are made in this process by code those tests cover; a check
// there could only turn a usable answer into an error for the user, and it
// would re-walk the whole inventory on every getInventory and every event.
import type { z } from 'zod';
import { methods, type MethodName } from '../shared/api';
import { ClusterdeckError } from '../shared/errors';
import { entitySchemas, patchSchema, type Patch } from '../shared/model';

export function contractChecksOn(): boolean {
  return process.env['CLUSTERDECK_CHECK_RESULTS'] === '1';
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(the value)'}: ${issue.message}` : 'no detail';
}

/** Throws when a method's result does not match its result schema. */
export function checkResult(method: MethodName, result: unknown): void {
  const r = methods[method].result.safeParse(result);
  if (!r.success)
    throw new ClusterdeckError(
      'internal',
      `${method} answered outside the contract (${firstIssue(r.error)}).`,
    );
}

/** Throws when a patch does not match the schema of its collection's entities. */
export function checkPatch(patch: Patch): void {
  const r = patchSchema.safeParse(patch);
  if (r.success) return;
  // The union's own issue says only "Invalid input": name the entity's field instead.
  const entity = patch.op === 'put' && entitySchemas[patch.collection]?.safeParse(patch.value);
  const where =
    entity && !entity.success
      ? `${patch.collection}: ${firstIssue(entity.error)}`
      : firstIssue(r.error);
  throw new ClusterdeckError(
    'internal',
    `An inventory patch is outside the contract (${where}): ${JSON.stringify(patch).slice(0, 500)}`,
  );
}
