// Patches arrive a message at a time: a node's VMs, each host's state, each
// task's step. Applied one by one, every message redraws the tree and the
// toolbar; with 1,000 VMs on 10 nodes such a redraw took 50-120 ms of the
// page's thread, and ten nodes loading at once sent dozens of them (the
// bench's scale case). Queued, all that arrived before the next frame is
// applied at once: one redraw per frame, at most a frame later.
import type { Patch } from '../../shared/model';

export interface PatchQueue {
  push(patches: Patch[]): void;
  /** Drops what is queued: a full inventory replaces it (it holds those changes already or newer). */
  clear(): void;
}

/** When the queue is applied: the next frame, or after a while when frames stop (a hidden page). */
export type Schedule = (run: () => void) => void;

const FALLBACK_MS = 100;

export const nextFrame: Schedule = (run) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    run();
  };
  requestAnimationFrame(once);
  setTimeout(once, FALLBACK_MS);
};

export function patchQueue(apply: (patches: Patch[]) => void, schedule: Schedule): PatchQueue {
  let queued: Patch[] = [];
  let generation = 0;
  return {
    push(patches) {
      if (queued.length === 0) {
        const mine = generation;
        schedule(() => {
          if (mine !== generation || queued.length === 0) return;
          const batch = queued;
          queued = [];
          generation++;
          apply(batch);
        });
      }
      queued = queued.concat(patches);
    },
    clear() {
      queued = [];
      generation++;
    },
  };
}
