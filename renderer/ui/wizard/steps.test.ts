import { describe, expect, it } from 'vitest';
import { landingStep, stopsAtPreflight } from './steps';

describe('landingStep', () => {
  it('goes to the target when nothing on the way stops', () => {
    expect(landingStep(0, 3, () => false)).toBe(3);
  });
  it('stops at the first step on the way that stops, the start included', () => {
    expect(landingStep(0, 3, (i) => i === 1 || i === 2)).toBe(1);
    expect(landingStep(1, 3, (i) => i === 1)).toBe(1);
  });
  it('does not look at the target itself', () => {
    expect(landingStep(0, 2, (i) => i === 2)).toBe(2);
  });
});

describe('stopsAtPreflight', () => {
  it('stops a jump from an earlier step at the preflight', () => {
    expect(
      landingStep(
        0,
        2,
        stopsAtPreflight(0, 1, () => false),
      ),
    ).toBe(1);
  });
  it('passes the preflight from the preflight itself unless it is blocked', () => {
    expect(
      landingStep(
        1,
        2,
        stopsAtPreflight(1, 1, () => false),
      ),
    ).toBe(2);
    expect(
      landingStep(
        1,
        2,
        stopsAtPreflight(1, 1, (i) => i === 1),
      ),
    ).toBe(1);
  });
});
