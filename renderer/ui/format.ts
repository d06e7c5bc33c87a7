// Words and units shown to the user: one place for each.
import type { HostState, TaskState, VmState } from '../../shared/model';
import { formatBytes } from '../../shared/units';

export const HOST_STATE_WORDS: Record<HostState, string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  unreachable: 'Unreachable',
  'auth-failed': 'Authentication failed',
  'host-key-changed': 'Host key changed',
  'host-key-revoked': 'Host key revoked',
  unsupported: 'Not supported',
  disconnected: 'Disconnected',
};

export const VM_STATE_WORDS: Record<VmState, string> = {
  running: 'Running',
  paused: 'Paused',
  shutoff: 'Shut off',
  shutdown: 'Shutting down',
  crashed: 'Crashed',
  pmsuspended: 'Suspended',
  blocked: 'Blocked',
  unknown: 'Unknown',
};

export const TASK_STATE_WORDS: Record<TaskState, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export { formatBytes };

export function formatKiB(kib: number): string {
  return formatBytes(kib * 1024);
}

export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}
