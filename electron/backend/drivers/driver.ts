// What every hypervisor stack offers the rest of the backend. The libvirt
// driver is the first; Proxmox VE and XCP-ng come behind the same interface.
import type { VmAction } from '../../../shared/api';
import type { NodeInfo, Stack, Vm } from '../../../shared/model';
import type { TaskContext } from '../tasks/runner';
import type { DisplayAddress } from './libvirt/display';

export interface Driver {
  readonly stack: Stack;
  /** Loads node facts and the full inventory, then follows the node's events. */
  start(): Promise<NodeInfo>;
  vmAction(vm: Vm, action: VmAction, ctx: TaskContext): Promise<void>;
  /** Where the VM's graphical console listens, as seen from the node. */
  displayAddress(vm: Vm): Promise<DisplayAddress>;
  /** The command that attaches a terminal to the VM's serial console. */
  serialConsoleArgv(vm: Vm): string[];
  stop(): void;
}
