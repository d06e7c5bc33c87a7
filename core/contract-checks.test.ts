// The contract is checked at runtime: every method names a real result
// schema (nothing left as z.custom, z.any or z.unknown), and a result or an
// inventory patch outside it is refused, through the real Backend.call.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { methods, type MethodName } from '../shared/api';
import { entitySchemas, patchSchema } from '../shared/model';
import { Backend } from './backend';
import { checkPatch, checkResult, contractChecksOn } from './contract-checks';
import type { SecretBox } from './store/secrets';

/** Where a schema accepts anything at all: z.custom without a check, z.any, z.unknown. */
function looseSpots(schema: z.ZodType, path: string, seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  if (def.type === 'custom' || def.type === 'any' || def.type === 'unknown') return [path];
  const spots: string[] = [];
  for (const [key, value] of Object.entries(def)) {
    // A refinement (`.refine`) sits in `checks` as a custom check: it narrows
    // what its type accepts, it is no type of its own.
    if (key === 'checks') continue;
    const children =
      value instanceof z.ZodType
        ? [value]
        : Array.isArray(value)
          ? value
          : value && typeof value === 'object' && key === 'shape'
            ? Object.values(value)
            : [];
    for (const child of children) {
      if (child instanceof z.ZodType) spots.push(...looseSpots(child, `${path}.${key}`, seen));
    }
  }
  return spots;
}

const box: SecretBox = {
  canPersist: false,
  whyNot: 'No keyring.',
  isWeaklySealed: () => false,
  encrypt: () => {
    throw new Error('not here');
  },
  decrypt: () => {
    throw new Error('not here');
  },
};

describe('the contract at runtime', () => {
  afterEach(() => {
    process.env['CLUSTERDECK_CHECK_RESULTS'] = '1';
  });

  it('is checked in every test run (vitest.config.ts sets the switch)', () => {
    expect(contractChecksOn()).toBe(true);
  });

  it('finds a loose spot where one is (the search below can fail)', () => {
    const loose = z.object({ a: z.array(z.union([z.string(), z.custom<Date>()])) });
    expect(looseSpots(loose, 'x')).toEqual(['x.shape.element.options']);
    expect(looseSpots(z.object({ b: z.record(z.string(), z.unknown()) }), 'y')).toHaveLength(1);
    // …and none in a refined object, whose refinement is a check, not a type.
    const refined = z.object({ c: z.array(z.string()) }).refine((o) => o.c.length > 0);
    expect(looseSpots(z.array(refined), 'z')).toEqual([]);
    expect(looseSpots(z.array(refined.and(z.object({ d: z.unknown() }))), 'w')).toHaveLength(1);
  });

  it('names a real result schema for every method, and a schema for every entity', () => {
    const names = Object.keys(methods) as MethodName[];
    expect(names.length).toBeGreaterThan(40);
    const loose = names.flatMap((m) => looseSpots(methods[m].result, m));
    expect(loose).toEqual([]);
    const entities = Object.entries(entitySchemas).flatMap(([c, s]) => looseSpots(s, c));
    expect(entities).toEqual([]);
    expect(looseSpots(patchSchema, 'patch')).toEqual([]);
  });

  it('refuses results outside a method’s schema', () => {
    expect(() => checkResult('openConsole', { consoleId: 'c1' })).toThrow(
      /openConsole answered outside the contract \(url: /,
    );
    expect(() => checkResult('removeHost', { extra: true })).toThrow(/outside the contract/);
    expect(() =>
      checkResult('readPerformance', { at: 1, node: { cpuPercent: '5' }, vms: {} }),
    ).toThrow(/node\.cpuPercent/);
    expect(() =>
      checkResult('clusterPreflight', { findings: [{ check: 'x', level: 'bad' }] }),
    ).toThrow(/findings\.0\.level/);
    expect(() => checkResult('openConsole', { consoleId: 'c1', url: 'ws://x' })).not.toThrow();
  });

  it('refuses a patch whose entity does not match its collection', () => {
    const half = { id: 'v', name: 'db' };
    expect(() =>
      checkPatch({ op: 'put', collection: 'vms', id: 'v', value: half as never }),
    ).toThrow(/inventory patch is outside the contract \(vms: hostId: /);
    expect(() => checkPatch({ op: 'del', collection: 'vms', id: 'v' })).not.toThrow();
  });

  it('makes Backend.call refuse a result outside the contract, and the store a bad entity', async () => {
    const backend = await Backend.start({
      dataDir: mkdtempSync(join(tmpdir(), 'contract-')),
      secretBox: box,
      userKnownHosts: '/nonexistent',
      sshConfig: '/nonexistent',
    });
    try {
      await expect(backend.call('getInventory', {})).resolves.toMatchObject({ vms: {} });
      const half = { id: 'vm1', hostId: 'h1', name: 'half a VM' };
      expect(() => backend.store.put('vms', 'vm1', half as never)).toThrow(/patch/);
      // Past the store's own check, the call's check still catches it.
      process.env['CLUSTERDECK_CHECK_RESULTS'] = '0';
      backend.store.put('vms', 'vm1', half as never);
      process.env['CLUSTERDECK_CHECK_RESULTS'] = '1';
      await expect(backend.call('getInventory', {})).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringMatching(/getInventory answered outside the contract \(vms\.vm1\./),
      });
    } finally {
      backend.close();
    }
  });
});
