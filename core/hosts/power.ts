// A node's own power: `systemctl reboot` / `systemctl poweroff` where systemd
// runs the node, else `shutdown -r now` / `shutdown -P now`. Not a hypervisor
// operation, so not the driver's: the same on every stack's node.
import type { HostPowerAction } from '../../shared/host-power';

/** Prints "systemd" when systemd is the node's init and its systemctl is there. */
export const SYSTEMD_PROBE = [
  'sh',
  '-c',
  'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd; fi',
];

export function powerArgv(action: HostPowerAction, systemd: boolean): string[] {
  if (systemd) return ['systemctl', action === 'reboot' ? 'reboot' : 'poweroff'];
  return ['shutdown', action === 'reboot' ? '-r' : '-P', 'now'];
}
