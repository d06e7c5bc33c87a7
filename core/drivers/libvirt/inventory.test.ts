import { describe, expect, it } from 'vitest';
import { ClusterdeckError } from '../../../shared/errors';
import { readEach } from './inventory';

describe('reading every listed entity', () => {
  it('leaves out one that vanished after the list, as a destroyed transient guest does', async () => {
    const read = async (uuid: string) => {
      if (uuid === 'gone') {
        // As virsh says it (captured in the lab).
        throw new ClusterdeckError(
          'command-failed',
          `virsh dominfo gone failed: error: failed to get domain 'gone'`,
        );
      }
      return uuid.toUpperCase();
    };
    expect(await readEach(['a', 'gone', 'b'], read)).toEqual(['A', 'B']);
  });

  it('still fails on any other error', async () => {
    const read = async () => {
      throw new ClusterdeckError('command-failed', 'virsh dominfo x failed: error: internal error');
    };
    await expect(readEach(['x'], read)).rejects.toThrow(/internal error/);
  });
});
