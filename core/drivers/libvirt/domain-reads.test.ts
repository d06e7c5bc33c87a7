import { describe, expect, it } from 'vitest';
import { statesOf } from './domain-reads';

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
