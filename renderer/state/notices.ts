// Short error notices for failures that happen before a task exists
// (validation, a host that is not connected).
import { create } from 'zustand';

interface NoticeState {
  notices: { id: number; text: string }[];
  push(text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useNotices = create<NoticeState>((set) => ({
  notices: [],
  push: (text) => set((s) => ({ notices: [...s.notices.slice(-3), { id: nextId++, text }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));
