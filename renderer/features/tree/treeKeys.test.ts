import { describe, expect, it } from 'vitest';
import {
  TYPE_AHEAD_RESET_MS,
  parentIndex,
  treeKeyEffect,
  typeAheadAfter,
  typeAheadMatch,
} from './treeKeys';
import type { TreeRow } from './treeModel';

const r = (key: string, level: number, label: string, expandable = false): TreeRow => ({
  key,
  level,
  label,
  title: label,
  detail: '',
  name: label,
  expandable,
  tone: 'muted',
  ...(expandable ? {} : { selection: { kind: 'vm', id: key, uuid: key } }),
});

// Clusterdeck > node1 > VMs > lab-tiny-1, lab-tiny-2, web; Storage pools (closed)
const rows = [
  r('root', 1, 'Clusterdeck', true),
  r('host:h1', 2, 'node1', true),
  r('host:h1:vms', 3, 'VMs', true),
  r('vm:1', 4, 'lab-tiny-1'),
  r('vm:2', 4, 'lab-tiny-2'),
  r('vm:3', 4, 'web'),
  r('host:h1:pools', 3, 'Storage pools', true),
];
const open = (key: string) => key !== 'host:h1:pools';

describe('tree keys', () => {
  it('moves with the arrows, Home and End, and stops at the ends', () => {
    expect(treeKeyEffect('ArrowDown', rows, 3, open)).toEqual({ kind: 'focus', index: 4 });
    expect(treeKeyEffect('ArrowUp', rows, 3, open)).toEqual({ kind: 'focus', index: 2 });
    expect(treeKeyEffect('ArrowUp', rows, 0, open)).toEqual({ kind: 'focus', index: 0 });
    expect(treeKeyEffect('ArrowDown', rows, 6, open)).toEqual({ kind: 'focus', index: 6 });
    expect(treeKeyEffect('Home', rows, 4, open)).toEqual({ kind: 'focus', index: 0 });
    expect(treeKeyEffect('End', rows, 1, open)).toEqual({ kind: 'focus', index: 6 });
  });

  it('Right opens a closed item, then goes to its first child; nothing on a leaf', () => {
    expect(treeKeyEffect('ArrowRight', rows, 6, open)).toEqual({
      kind: 'expand',
      key: 'host:h1:pools',
      open: true,
    });
    expect(treeKeyEffect('ArrowRight', rows, 1, open)).toEqual({ kind: 'focus', index: 2 });
    expect(treeKeyEffect('ArrowRight', rows, 3, open)).toBeUndefined();
    // Open but empty: no child to go to.
    expect(treeKeyEffect('ArrowRight', [r('root', 1, 'Clusterdeck', true)], 0, open)).toBe(
      undefined,
    );
  });

  it('Left closes an open item, else goes to the parent', () => {
    expect(treeKeyEffect('ArrowLeft', rows, 2, open)).toEqual({
      kind: 'expand',
      key: 'host:h1:vms',
      open: false,
    });
    expect(treeKeyEffect('ArrowLeft', rows, 5, open)).toEqual({ kind: 'focus', index: 2 });
    expect(treeKeyEffect('ArrowLeft', rows, 6, open)).toEqual({ kind: 'focus', index: 1 });
    expect(parentIndex(rows, 0)).toBe(-1);
  });

  it('Enter and Space activate; other keys are not the tree’s', () => {
    expect(treeKeyEffect('Enter', rows, 3, open)).toEqual({ kind: 'activate' });
    expect(treeKeyEffect(' ', rows, 3, open)).toEqual({ kind: 'activate' });
    expect(treeKeyEffect('Tab', rows, 3, open)).toBeUndefined();
    expect(treeKeyEffect('ArrowDown', rows, 99, open)).toBeUndefined();
  });
});

describe('type-ahead', () => {
  const type = (text: string, from: number, gap = 50) => {
    let state;
    let at = from;
    let t = 1000;
    for (const key of text) {
      state = typeAheadAfter(state, key, (t += gap));
      at = typeAheadMatch(rows, at, state!.prefix);
    }
    return at;
  };

  it('jumps to the item whose name starts with what was typed quickly, any case', () => {
    expect(type('lab-tiny-2', 0)).toBe(4);
    expect(type('LAB-TINY-2', 0)).toBe(4);
    expect(type('w', 0)).toBe(5);
    expect(type('st', 0)).toBe(6);
  });

  it('a single letter again goes to the next match, wrapping', () => {
    expect(type('l', 3)).toBe(4);
    expect(type('l', 4)).toBe(3);
    expect(type('ll', 0)).toBe(4);
  });

  it('no match leaves nothing to focus', () => {
    expect(typeAheadMatch(rows, 0, 'zz')).toBe(-1);
    expect(typeAheadMatch([], 0, 'a')).toBe(-1);
  });

  it('starts a new prefix after a pause; ignores named keys and a lone space', () => {
    const a = typeAheadAfter(undefined, 'n', 1000)!;
    expect(typeAheadAfter(a, 'o', 1000 + TYPE_AHEAD_RESET_MS)).toEqual({
      prefix: 'no',
      at: 1000 + TYPE_AHEAD_RESET_MS,
    });
    expect(typeAheadAfter(a, 'w', 1001 + TYPE_AHEAD_RESET_MS)?.prefix).toBe('w');
    expect(typeAheadAfter(a, 'ArrowDown', 1001)).toBeUndefined();
    expect(typeAheadAfter(undefined, ' ', 1000)).toBeUndefined();
    expect(typeAheadAfter(a, ' ', 1001)?.prefix).toBe('n ');
  });
});
