// The renderer's copy of the inventory, fed only by patches from the main
// process (and a full snapshot after each (re)connect). Views read from here.
import { create } from 'zustand';
import { applyPatches, emptyInventory, type Inventory, type Patch } from '../../shared/model';

interface InventoryState {
  inv: Inventory;
  replace(inv: Inventory): void;
  apply(patches: Patch[]): void;
}

export const useInventory = create<InventoryState>((set) => ({
  inv: emptyInventory(),
  replace: (inv) => set({ inv }),
  apply: (patches) =>
    set((s) => {
      // New objects for each touched collection, so selectors see the change.
      const next: Inventory = { ...s.inv };
      for (const c of new Set(patches.map((p) => p.collection))) {
        (next as unknown as Record<string, unknown>)[c] = { ...s.inv[c] };
      }
      return { inv: applyPatches(next, patches) };
    }),
}));
