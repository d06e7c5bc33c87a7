// Maintenance mode of a node in a Pacemaker cluster is standby: Pacemaker
// moves the node's resources away itself (live, where allow-migrate) and
// keeps them off until the node is online again. Where each goes is
// Pacemaker's answer, asked without changing anything: crm_simulate on the
// live CIB with the node down (2.1 has no "standby" simulation; a node down
// and a node in standby empty it the same way), read from its Transition
// Summary.
import type { DriverStep } from '../capabilities';

export function standbyStep(node: string, on: boolean): DriverStep {
  return on
    ? {
        title: `Put ${node} in standby: Pacemaker moves its resources away`,
        argv: [
          'sh',
          '-c',
          'crm node standby "$1" && crm_resource --wait --timeout=300',
          'sh',
          node,
        ],
      }
    : {
        title: `Bring ${node} online again in Pacemaker`,
        argv: ['sh', '-c', 'crm node online "$1" && crm_resource --wait --timeout=300', 'sh', node],
      };
}

export const simulateNodeDownArgv = (node: string): string[] => [
  'crm_simulate',
  '--live-check',
  '--simulate',
  '--node-down',
  node,
];

export interface PlannedMove {
  action: string;
  resource: string;
  from?: string;
  to: string;
}

/** The Transition Summary's lines: "* Migrate  vm  ( hanode1 -> hanode2 )". */
export function parseTransitionSummary(text: string): PlannedMove[] {
  const at = text.indexOf('Transition Summary:');
  if (at < 0) return [];
  const moves: PlannedMove[] = [];
  for (const line of text.slice(at).split('\n').slice(1)) {
    const m = line.match(/^\s*\*\s+(\w+)\s+(\S+)\s+\(\s*(?:(\S+)\s*->\s*)?([^\s)]+)\s*\)/);
    if (m) moves.push({ action: m[1]!, resource: m[2]!, from: m[3], to: m[4]! });
    else if (line.trim() && !line.trim().startsWith('*')) break;
  }
  return moves;
}
