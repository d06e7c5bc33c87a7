// The CPU answers as the lab's nodes gave them (hypervisor-cpu-baseline over
// three nodes' domcapabilities; hypervisor-cpu-compare's two verdicts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCpu } from '../../../shared/cluster';
import { cpuRuns, parseCpuModel } from './cpu';

const baseline = readFileSync(join(__dirname, 'fixtures', 'lab-cpu-baseline.xml'), 'utf8');

describe('CPU compatibility', () => {
  it('reads the baseline model, vendor and features', () => {
    const cpu = parseCpuModel(baseline);
    expect(cpu.model).toBe('kvm64');
    expect(cpu.vendor).toBe('AMD');
    expect(cpu.features).toContainEqual({ name: 'x2apic', policy: 'require' });
    expect(cpu.features).toContainEqual({ name: 'pni', policy: 'disable' });
    // --migratable drops invariant TSC, which would pin a guest to its node.
    expect(cpu.features.map((f) => f.name)).not.toContain('invtsc');
    expect(describeCpu(cpu)).toMatch(/^kvm64 \(AMD\) with \d+ required features$/);
  });

  it('refuses an answer without a model', () => {
    expect(() => parseCpuModel("<cpu mode='custom'/>")).toThrow(/no CPU model/);
  });

  it('reads hypervisor-cpu-compare verdicts', () => {
    expect(
      cpuRuns(
        'The CPU provided by hypervisor on the host is a superset of CPU described in /dev/stdin\n',
      ),
    ).toBe(true);
    expect(
      cpuRuns(
        'CPU described in /dev/stdin is identical to the CPU provided by hypervisor on the host\n',
      ),
    ).toBe(true);
    expect(
      cpuRuns(
        'CPU described in /dev/stdin is incompatible with the CPU provided by hypervisor on the host\n',
      ),
    ).toBe(false);
  });
});
