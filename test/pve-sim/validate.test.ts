import { describe, expect, it } from 'vitest';
import type { JsonSchema } from './schema';
import { validateParams } from './validate';

// Small schemas written the way apidata.js writes them (0/1 flags), so each
// PVE rule is checked on its own, away from the server.
const schema: JsonSchema = {
  additionalProperties: 0,
  properties: {
    name: { type: 'string', maxLength: 5, optional: 1 },
    tag: { type: 'string', pattern: '[a-z]+', optional: 1 },
    short: { type: 'string', minLength: 3, optional: 1 },
    ratio: { type: 'number', minimum: 0, maximum: 1, optional: 1 },
    on: { type: 'boolean', optional: 1 },
    node: { type: 'string', format: 'pve-node', optional: 1 },
    storage: { type: 'string', format: 'pve-storage-id', optional: 1 },
    ids: { type: 'string', format: 'pve-vmid-list', optional: 1 },
    size: { type: 'string', optional: 1, requires: 'ratio' },
  },
};

describe('PVE parameter verification', () => {
  it('accepts what PVE accepts: numbers as strings, 0/1 and JSON booleans, lists', () => {
    expect(
      validateParams(schema, { ratio: '0.5', on: '1', name: 'abc', ids: '100,101 102' }),
    ).toBeUndefined();
    expect(validateParams(schema, { ratio: 1, on: true, tag: 'abc' })).toBeUndefined();
  });

  it('answers each broken rule with its message', () => {
    expect(
      validateParams(schema, {
        name: 'toolong',
        tag: 'ABC',
        short: 'ab',
        ratio: '2',
        node: '-bad',
        storage: 'x',
        ids: '100,12',
      }),
    ).toEqual({
      name: 'value may only be 5 characters long',
      tag: 'value does not match the regex pattern',
      short: 'value must be at least 3 characters long',
      ratio: 'value must have a maximum value of 1',
      node: 'invalid format - value does not look like a valid node name\n',
      storage: "invalid format - storage ID 'x' cannot be shorter than 2 characters\n",
      ids: 'invalid format - value does not look like a valid VM ID\n',
    });
  });

  it('type-checks booleans, numbers and structured JSON values as Perl sees them', () => {
    expect(validateParams(schema, { on: 'yes', ratio: '1e' })).toEqual({
      on: "type check ('boolean') failed - got 'yes'",
      ratio: "type check ('number') failed - got '1e'",
    });
    expect(validateParams(schema, { name: { a: 1 }, tag: [1] })).toEqual({
      name: "type check ('string') failed - got HASH",
      tag: "type check ('string') failed - got ARRAY",
    });
  });

  it('reports a property that requires another one', () => {
    expect(validateParams(schema, { size: '4G' })).toEqual({
      ratio: "missing property required by 'size'",
    });
  });
});
