// What the Proxmox driver's simulator suites share: the probe a node
// answers, a fake SSH session answering only what bootstrap runs over SSH
// (openssl for the fingerprint, pveum for the token, which it registers with
// the simulator as pveum would with the cluster), and secrets kept in memory.
import { randomUUID } from 'node:crypto';
import type { DriverSecrets } from '../../core/drivers/registry';
import type { ExecResult } from '../../core/ssh/session';
import type { PveSim } from '../pve-sim/server';

/** detect.ts's probe of a PVE node running that pve-manager version. */
export const probeFor = (manager: string): string =>
  [
    'has:pveversion',
    'has:pmxcfs',
    `pve:pve-manager/${manager}/faa83925c9641325 (running kernel: 6.8.8-2-pve)`,
    'hostname:pve1',
    'uptime:5000',
    'cpu:Intel Xeon',
  ].join('\n');

/** The SSH side of a PVE node: the commands bootstrap runs, answered as the node would. */
export function fakeSession(sim: PveSim, tokens: Record<string, string>) {
  const ran: string[] = [];
  return {
    ran,
    target: { label: 'pve1' },
    exec(argv: readonly string[]): Promise<ExecResult> {
      ran.push(argv.join(' '));
      const ok = (stdout: string) => Promise.resolve({ code: 0, stdout, stderr: '' });
      if (argv[0] === 'sh' && argv[2]?.includes('openssl x509'))
        return ok(`sha256 Fingerprint=${sim.fingerprint}\n`);
      if (argv[0] === 'pveum' && argv[3] === 'add') {
        const id = `${argv[4]}!${argv[5]}`;
        if (tokens[id])
          return Promise.resolve({
            code: 255,
            stdout: '',
            stderr: `Token '${argv[5]}' for user '${argv[4]}' already exists\n`,
          });
        tokens[id] = randomUUID();
        return ok(JSON.stringify({ 'full-tokenid': id, info: { privsep: 0 }, value: tokens[id] }));
      }
      if (argv[0] === 'pveum' && argv[3] === 'delete') {
        delete tokens[`${argv[4]}!${argv[5]}`];
        return ok('');
      }
      return Promise.resolve({ code: 127, stdout: '', stderr: `${argv[0]}: not found\n` });
    },
  };
}

export function memorySecrets(): DriverSecrets & { kept: Map<string, string> } {
  const kept = new Map<string, string>();
  return {
    kept,
    installationId: () => Promise.resolve('t3st'),
    candidates: (name) => (kept.has(name) ? [kept.get(name)!] : []),
    save: async (name, value) => void kept.set(name, value),
  };
}
