// The window's pane sizes (tree width, Tasks height), changed by the splitters
// and kept in the page's local storage, so a reload opens the window as the
// user left it. Sizes are clamped here, the one place that knows the limits.
import { create } from 'zustand';

export interface PaneLimits {
  min: number;
  max: number;
  initial: number;
}

export const PANE_LIMITS = {
  tree: { min: 180, max: 640, initial: 288 },
  tasks: { min: 72, max: 600, initial: 224 },
} as const satisfies Record<string, PaneLimits>;

export type Pane = keyof typeof PANE_LIMITS;

const STORAGE_KEY = 'clusterdeck.layout';

export const clampPane = (pane: Pane, size: number): number =>
  Math.round(Math.min(PANE_LIMITS[pane].max, Math.max(PANE_LIMITS[pane].min, size)));

function saved(): Record<Pane, number> {
  const sizes: Record<Pane, number> = {
    tree: PANE_LIMITS.tree.initial,
    tasks: PANE_LIMITS.tasks.initial,
  };
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (raw && typeof raw === 'object') {
      for (const pane of ['tree', 'tasks'] as const) {
        const v = (raw as Record<string, unknown>)[pane];
        if (typeof v === 'number' && Number.isFinite(v)) sizes[pane] = clampPane(pane, v);
      }
    }
  } catch {
    // A damaged entry gives the default layout, never a broken window.
  }
  return sizes;
}

interface LayoutState {
  sizes: Record<Pane, number>;
  setSize(pane: Pane, size: number): void;
}

export const useLayout = create<LayoutState>((set) => ({
  sizes: typeof localStorage === 'undefined' ? { tree: 288, tasks: 224 } : saved(),
  setSize: (pane, size) =>
    set((s) => {
      const sizes = { ...s.sizes, [pane]: clampPane(pane, size) };
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(sizes));
      } catch {
        // Storage full or denied: the size holds for this session.
      }
      return { sizes };
    }),
}));
