// The VM actions of a VM that is a Pacemaker resource, as Pacemaker 2.1
// commands: libvirt's own start would run a second copy beside the one
// Pacemaker runs (or starts later), so Start and Shut down set the
// resource's target-role and Reboot is Pacemaker's restart (a stop then a
// start on the same node, waited for by crm_resource itself). Force off is
// Pacemaker's stop too: VirtualDomain shuts the guest down and forces it
// off when the stop timeout runs out. Each command waits until the cluster
// has settled (crm_resource --wait), so the task ends on the effect.
import type { VmAction } from '../../../shared/vm-actions';
import type { DriverStep } from '../capabilities';

const WAIT = 'crm_resource --wait --timeout=150';

const targetRole = (id: string, role: 'Started' | 'Stopped'): string[] => [
  'sh',
  '-c',
  `crm_resource --resource "$1" --meta --set-parameter target-role --parameter-value "$2" && ${WAIT}`,
  'sh',
  id,
  role,
];

/** The step for an action, or why Pacemaker has none (pause and resume stay libvirt's). */
export function haVmActionStep(id: string, action: VmAction): DriverStep | undefined {
  switch (action) {
    case 'start':
      return {
        title: `Start ${id} through Pacemaker (target-role Started)`,
        argv: targetRole(id, 'Started'),
      };
    case 'shutdown':
      return {
        title: `Shut down ${id} through Pacemaker (target-role Stopped)`,
        argv: targetRole(id, 'Stopped'),
      };
    case 'destroy':
      return {
        title: `Stop ${id} through Pacemaker (target-role Stopped: it forces the guest off after the stop timeout)`,
        argv: targetRole(id, 'Stopped'),
      };
    case 'reboot':
      return {
        title: `Restart ${id} through Pacemaker (stop, then start on the same node)`,
        argv: ['crm_resource', '--restart', '--resource', id, '--timeout=150s'],
      };
    default:
      return undefined;
  }
}

/**
 * Migrate VM of an HA VM: Pacemaker moves it live (allow-migrate), through a
 * temporary location constraint that --move adds; the second step drops it
 * (--clear) so no permanent preference stays. Both wait for the cluster.
 */
export function haMigrateSteps(id: string, node: string): DriverStep[] {
  return [
    {
      title: `Move ${id} live to ${node} through Pacemaker (a temporary constraint)`,
      argv: [
        'sh',
        '-c',
        `crm_resource --move --resource "$1" --node "$2" && ${WAIT}`,
        'sh',
        id,
        node,
      ],
    },
    {
      title: `Clear the move's constraint: no permanent preference for ${node} stays`,
      argv: ['sh', '-c', `crm_resource --clear --resource "$1" && ${WAIT}`, 'sh', id],
    },
  ];
}
