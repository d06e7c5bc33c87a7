import { describe, expect, it } from 'vitest';
import type { TaskContext } from './runner';
import { runAsOneStep } from './one-step';

function recorder() {
  const seen: string[] = [];
  const ctx = {
    setSteps: (titles: string[]) => seen.push(`steps ${titles.join('|')}`),
    stepState: (i: number, state: string) => seen.push(`${i} ${state}`),
  } as unknown as TaskContext;
  return { seen, ctx };
}

describe('runAsOneStep', () => {
  it('names the step, marks it running then done, returns the result and runs `after`', async () => {
    const { seen, ctx } = recorder();
    const out = await runAsOneStep(
      ctx,
      'Start web01',
      () => Promise.resolve(7),
      () => Promise.resolve(seen.push('after')),
    );
    expect(out).toBe(7);
    expect(seen).toEqual(['steps Start web01', '0 running', '0 done', 'after']);
  });

  it('marks the step failed, still runs `after` (whose own failure is dropped) and rethrows', async () => {
    const { seen, ctx } = recorder();
    await expect(
      runAsOneStep(
        ctx,
        'Delete db01',
        () => Promise.reject(new Error('VM is locked')),
        () => {
          seen.push('after');
          return Promise.reject(new Error('reload failed'));
        },
      ),
    ).rejects.toThrow('VM is locked');
    expect(seen).toEqual(['steps Delete db01', '0 running', '0 failed', 'after']);
  });
});
