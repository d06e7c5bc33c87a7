// What the user is looking at: selection, theme, open dialogs.
import type { ReactNode } from 'react';
import { create } from 'zustand';
import type { Inventory } from '../../shared/model';
import type { VmAction } from '../../shared/vm-actions';

export type Selection =
  | { kind: 'root' }
  | { kind: 'cluster'; id: string }
  | { kind: 'host'; id: string }
  /** A VM is also known by its UUID, so the selection follows it to another node. */
  | { kind: 'vm'; id: string; uuid: string }
  | { kind: 'pool'; id: string }
  | { kind: 'net'; id: string };

export type Theme = 'light' | 'dark';

/** The wizard on screen, if any. */
export type Wizard = 'new-pool' | 'new-vm' | 'new-cluster' | 'new-network';

export interface VmDialog {
  kind: 'settings' | 'clone' | 'delete' | 'migrate';
  vmId: string;
  /** For migrate: the node the VM was dropped on in the tree. */
  targetHostId?: string;
  /** For migrate on a cluster that places its VMs itself: the node (by its name) it was dropped on. */
  targetNode?: string;
}

/** The tabs of the details pane. */
export type DetailsTab =
  | 'general'
  | 'console'
  | 'serial'
  | 'snapshots'
  | 'networking'
  | 'terminal'
  | 'performance'
  | 'backups';

/** A VM to select (and a tab to show) as soon as it appears, e.g. after New VM. */
export interface PendingOpen {
  hostId: string;
  name: string;
  tab: DetailsTab;
}

/** A VM action run on several selected VMs at once, after one confirmation. */
export interface BulkRequest {
  action: VmAction | 'migrate';
  vmIds: string[];
}

export type Confirm = {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  /** A wider dialog, for a body that lists a plan's commands. */
  width?: string;
};

interface UiState {
  selection: Selection;
  /**
   * The tree rows (keys) of a multi-selection, the selection among them; at
   * most one entry means a single selection. A plain select clears it.
   */
  marked: readonly string[];
  /** The bulk action dialog on screen, if any. */
  bulk: BulkRequest | undefined;
  theme: Theme;
  addHostOpen: boolean;
  helpOpen: boolean;
  confirm: Confirm | undefined;
  wizard: Wizard | undefined;
  detailsTab: DetailsTab;
  pendingOpen: PendingOpen | undefined;
  /** The VM dialog on screen (settings, clone, delete), if any. */
  vmDialog: VmDialog | undefined;
  select(s: Selection): void;
  /** Selects `s` (shown in the details) with these rows marked with it. */
  selectMany(s: Selection, marked: readonly string[]): void;
  setBulk(b: BulkRequest | undefined): void;
  setVmDialog(d: VmDialog | undefined): void;
  setDetailsTab(t: DetailsTab): void;
  openWhenReady(p: PendingOpen | undefined): void;
  setWizard(w: Wizard | undefined): void;
  toggleTheme(): void;
  setAddHostOpen(open: boolean): void;
  setHelpOpen(open: boolean): void;
  askConfirm(c: Confirm | undefined): void;
}

function initialTheme(): Theme {
  const saved =
    typeof localStorage !== 'undefined' ? localStorage.getItem('clusterdeck.theme') : null;
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

export const useUi = create<UiState>((set) => ({
  selection: { kind: 'root' },
  marked: [],
  bulk: undefined,
  theme: initialTheme(),
  addHostOpen: false,
  helpOpen: false,
  confirm: undefined,
  wizard: undefined,
  detailsTab: 'general',
  pendingOpen: undefined,
  vmDialog: undefined,
  select: (selection) => set({ selection, marked: [] }),
  selectMany: (selection, marked) => set({ selection, marked: marked.length > 1 ? marked : [] }),
  setBulk: (bulk) => set({ bulk }),
  setVmDialog: (vmDialog) => set({ vmDialog }),
  setDetailsTab: (detailsTab) => set({ detailsTab }),
  openWhenReady: (pendingOpen) => set({ pendingOpen }),
  setWizard: (wizard) => set({ wizard }),
  toggleTheme: () =>
    set((s) => {
      const theme: Theme = s.theme === 'dark' ? 'light' : 'dark';
      localStorage.setItem('clusterdeck.theme', theme);
      return { theme };
    }),
  setAddHostOpen: (addHostOpen) => set({ addHostOpen }),
  setHelpOpen: (helpOpen) => set({ helpOpen }),
  askConfirm: (confirm) => set({ confirm }),
}));

/** The node the selection belongs to: the host itself, or the node of a VM, pool or network. */
export function selectedHostId(selection: Selection, inv: Inventory): string | undefined {
  switch (selection.kind) {
    case 'host':
      return selection.id;
    case 'vm':
      return inv.vms[selection.id]?.hostId;
    case 'pool':
      return inv.pools[selection.id]?.hostId;
    case 'net':
      return inv.networks[selection.id]?.hostId;
    default:
      return undefined;
  }
}
