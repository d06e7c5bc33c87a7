// One reading of a node's and its VMs' load, as the Performance tab plots it.

export interface VmLoad {
  /** Of one CPU: 200 is two vCPUs fully busy. */
  cpuPercent: number;
  memBytes: number;
  diskReadBps: number;
  diskWriteBps: number;
  netRxBps: number;
  netTxBps: number;
}

export interface PerformanceSample {
  /** Epoch ms of the reading. */
  at: number;
  node: { cpuPercent: number; memUsedBytes: number; memTotalBytes: number };
  /** By VM id. */
  vms: Record<string, VmLoad>;
}
