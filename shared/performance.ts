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

/** The node as a whole; disk and network count its hardware devices only. */
export interface NodeLoad {
  /** Of all its CPUs: 100 is every CPU fully busy. */
  cpuPercent: number;
  memUsedBytes: number;
  memTotalBytes: number;
  diskReadBps: number;
  diskWriteBps: number;
  netRxBps: number;
  netTxBps: number;
}

export interface PerformanceSample {
  /** Epoch ms of the reading. */
  at: number;
  node: NodeLoad;
  /** By VM id. */
  vms: Record<string, VmLoad>;
}
