// Edit settings, snapshots and clone of Proxmox VE guests as the driver
// offers them (settings.ts, snapshots.ts, clone.ts): each resolves the
// app's VM to its node, vmid and type, runs through the API client, and
// has the cluster read again after a change so the tree shows it at once.
import type { InstanceSettings } from '../../../shared/instance';
import type { Snapshot, Vm } from '../../../shared/model';
import type { SnapshotOp, SnapshotRefusals } from '../../../shared/vm';
import type { CloneChoices, CloneExtras } from '../../../shared/vm-clone';
import type { TaskContext } from '../../tasks/runner';
import type { GuestCloning, GuestSettingsEditor, SnapshotTasks } from '../capabilities';
import type { PveApiClient } from './api-client';
import { cloneGuest, convertToTemplate, readCloneChoices } from './clone';
import { applyGuestSettings, guestSettingsPlan, type GuestRef } from './settings';
import { guestSnapshotRefusals, readGuestSnapshots, runGuestSnapshotOp } from './snapshots';

export interface GuestEditsOptions {
  api: () => PveApiClient;
  guestOf: (vm: Vm) => GuestRef;
  /** The cluster's online nodes, for a clone's target. */
  onlineNodes: () => string[];
  /** Reads the cluster again into the store. */
  load: () => Promise<unknown>;
  pollMs?: number | undefined;
}

export class PveGuestEdits implements GuestSettingsEditor, SnapshotTasks, GuestCloning {
  constructor(private readonly o: GuestEditsOptions) {}

  private async thenLoad<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } finally {
      await this.o.load().catch(() => undefined);
    }
  }

  settingsStepTitle(vm: Vm): string {
    return `Change ${vm.name} through the Proxmox VE API`;
  }

  async planInstanceSettings(vm: Vm, settings: InstanceSettings) {
    const { changes, commands, problems, now } = await guestSettingsPlan(
      this.o.api(),
      this.o.guestOf(vm),
      vm,
      settings,
    );
    return { changes, commands, problems, now };
  }

  applyInstanceSettings(vm: Vm, settings: InstanceSettings, ctx: TaskContext): Promise<void> {
    return this.thenLoad(() =>
      applyGuestSettings(this.o.api(), this.o.guestOf(vm), vm, settings, ctx, this.o.pollMs),
    );
  }

  readSnapshots(vm: Vm): Promise<Snapshot[]> {
    return readGuestSnapshots(this.o.api(), this.o.guestOf(vm));
  }

  snapshotRefusals(vm: Vm): SnapshotRefusals {
    return guestSnapshotRefusals(vm, this.o.guestOf(vm));
  }

  runSnapshotOp(vm: Vm, op: SnapshotOp, ctx: TaskContext): Promise<void> {
    return this.thenLoad(() =>
      runGuestSnapshotOp(this.o.api(), this.o.guestOf(vm), vm, op, ctx, this.o.pollMs),
    );
  }

  cloneChoices(vm: Vm): Promise<CloneChoices> {
    return readCloneChoices(this.o.api(), this.o.guestOf(vm), vm, this.o.onlineNodes());
  }

  cloneGuest(vm: Vm, name: string, extras: CloneExtras, ctx: TaskContext): Promise<void> {
    return this.thenLoad(() =>
      cloneGuest(this.o.api(), this.o.guestOf(vm), vm, name, extras, ctx, this.o.pollMs),
    );
  }

  convertToTemplate(vm: Vm, ctx: TaskContext): Promise<void> {
    return this.thenLoad(() =>
      convertToTemplate(this.o.api(), this.o.guestOf(vm), vm, ctx, this.o.pollMs),
    );
  }
}
