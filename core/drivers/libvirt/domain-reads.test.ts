import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParsedDomains, statesOf } from './domain-reads';
import { parseDomainXml } from './parse-domain';

describe("VMs' states from virsh list's state filters", () => {
  it('gives each listed VM the state of its list', () => {
    const states = statesOf([
      ['running', ['a', 'b']],
      ['paused', ['c']],
      ['shutoff', ['d']],
    ]);
    expect(Object.fromEntries(states)).toEqual({
      a: 'running',
      b: 'running',
      c: 'paused',
      d: 'shutoff',
    });
  });

  it('leaves out a VM listed twice (its state changed between two lists), for domstate to say', () => {
    const states = statesOf([
      ['running', ['a', 'b']],
      ['paused', []],
      ['shutoff', ['b', 'c']],
    ]);
    expect(Object.fromEntries(states)).toEqual({ a: 'running', c: 'shutoff' });
  });

  it('knows nothing of a VM in no list (blocked, in shutdown, crashed, pmsuspended)', () => {
    expect(statesOf([['running', ['a']]]).has('z')).toBe(false);
  });
});

describe('the parsed domain XML kept between loads', () => {
  const xml = readFileSync(join(__dirname, 'fixtures', 'lab-linux-domain.xml'), 'utf8');
  const uuid = '9d5ca721-c1f6-48dc-befe-3cc0c0ed54de';

  it('parses a document again only when it changed', () => {
    const parsed = new ParsedDomains();
    const first = parsed.parse(uuid, xml);
    expect(first).toEqual(parseDomainXml(xml));
    // Unchanged: the same facts, not parsed again.
    expect(parsed.parse(uuid, xml)).toBe(first);
    const renamed = xml.replace('<name>lab-linux</name>', '<name>lab-linux-2</name>');
    const second = parsed.parse(uuid, renamed);
    expect(second).not.toBe(first);
    expect(second.name).toBe('lab-linux-2');
  });

  it('keeps a VM’s live and defined documents apart, and forgets VMs no longer listed', () => {
    const parsed = new ParsedDomains();
    const live = parsed.parse(uuid, xml);
    const defined = parsed.parse(`${uuid} inactive`, xml);
    expect(defined).not.toBe(live);
    parsed.keepOnly(['another-uuid']);
    expect(parsed.parse(uuid, xml)).not.toBe(live);
    expect(parsed.parse(`${uuid} inactive`, xml)).not.toBe(defined);
  });
});
