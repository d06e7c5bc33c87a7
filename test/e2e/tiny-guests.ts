// Tiny diskless guests a test defines for itself (as the lab's lab-tiny ones:
// 64 MiB, no disk, the SeaBIOS screen), so it can start, stop, move and tag
// them without touching the lab's own guests; removed again by name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labNode, readLab, virshOn } from '../lab';

export function defineTinyGuest(node: string, name: string, start = false): void {
  const type = readLab().kvm ? 'kvm' : 'qemu';
  const file = join(labNode(node).dir, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='${type}'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
`,
  );
  virshOn(node, ['define', file]);
  if (start) virshOn(node, ['start', name]);
}

/** Removes the guests by name from every lab node they are on (after a migration too). */
export function removeTinyGuests(names: readonly string[]): void {
  for (const node of readLab().nodes) {
    const present = virshOn(node.name, ['list', '--all', '--name']).split('\n');
    for (const name of names) {
      if (!present.includes(name)) continue;
      try {
        virshOn(node.name, ['destroy', name]);
      } catch {
        // Not running.
      }
      virshOn(node.name, ['undefine', name]);
    }
  }
}

/** A guest's state on a node as virsh says it ("running", "shut off"), or "" when it is not there. */
export function domstate(node: string, name: string): string {
  try {
    return virshOn(node, ['domstate', name]).trim();
  } catch {
    return '';
  }
}
