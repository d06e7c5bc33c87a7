import { describe, expect, it } from 'vitest';
import type { Patch } from '../../shared/model';
import { patchQueue } from './patchQueue';

const del = (id: string): Patch => ({ op: 'del', collection: 'vms', id });

function manual() {
  const due: (() => void)[] = [];
  return {
    schedule: (run: () => void) => void due.push(run),
    runAll: () => due.splice(0).forEach((r) => r()),
  };
}

describe('patchQueue', () => {
  it('applies every message that arrived before the frame at once, in order', () => {
    const clock = manual();
    const applied: Patch[][] = [];
    const q = patchQueue((p) => applied.push(p), clock.schedule);
    q.push([del('a')]);
    q.push([del('b'), del('c')]);
    expect(applied).toEqual([]);
    clock.runAll();
    expect(applied).toEqual([[del('a'), del('b'), del('c')]]);
    q.push([del('d')]);
    clock.runAll();
    expect(applied).toEqual([[del('a'), del('b'), del('c')], [del('d')]]);
  });

  it('drops what was queued before a full inventory replaced it', () => {
    const clock = manual();
    const applied: Patch[][] = [];
    const q = patchQueue((p) => applied.push(p), clock.schedule);
    q.push([del('old')]);
    q.clear();
    q.push([del('new')]);
    clock.runAll();
    expect(applied).toEqual([[del('new')]]);
  });
});
