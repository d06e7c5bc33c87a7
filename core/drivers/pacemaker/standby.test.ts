import { describe, expect, it } from 'vitest';
import { parseTransitionSummary } from './standby';

describe('parseTransitionSummary', () => {
  it('reads each move of crm_simulate 2.1', () => {
    const out = `Current cluster status:\n  * Node List:\n\nTransition Summary:\n  * Migrate    vm1     ( hanode1 -> hanode2 )\n  * Start      fence-hanode2     ( hanode3 )\n  * Stop       vm2     ( hanode1 )  due to node availability\n\nExecuting Cluster Transition:\n  * Resource action: x\n`;
    expect(parseTransitionSummary(out)).toEqual([
      { action: 'Migrate', resource: 'vm1', from: 'hanode1', to: 'hanode2' },
      { action: 'Start', resource: 'fence-hanode2', from: undefined, to: 'hanode3' },
      { action: 'Stop', resource: 'vm2', from: undefined, to: 'hanode1' },
    ]);
  });
});
