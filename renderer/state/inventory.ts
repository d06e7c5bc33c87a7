// The renderer's copy of the inventory, fed only by patches from the main
// process (and a full snapshot after each (re)connect). Views read from here.
import { create } from 'zustand';
import { applyPatches, emptyInventory, type Inventory, type Patch } from '../../shared/model';
import { nextFrame, patchQueue } from './patchQueue';

interface InventoryState {
  inv: Inventory;
  replace(inv: Inventory): void;
  apply(patches: Patch[]): void;
  /** The backend's patches: applied together once per frame (patchQueue.ts says why). */
  receive(patches: Patch[]): void;
}

export const useInventory = create<InventoryState>((set) => ({
  inv: emptyInventory(),
  replace: (inv) => {
    queue.clear();
    set({ inv });
  },
  apply: (patches) =>
    set((s) => {
      // New objects for each touched collection, so selectors see the change.
      const next: Inventory = { ...s.inv };
      for (const c of new Set(patches.map((p) => p.collection))) {
        (next as unknown as Record<string, unknown>)[c] = { ...s.inv[c] };
      }
      return { inv: applyPatches(next, patches) };
    }),
  receive: (patches) => queue.push(patches),
}));

const queue = patchQueue((patches) => useInventory.getState().apply(patches), nextFrame);
