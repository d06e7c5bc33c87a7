// Reading Ganeti's command output: `gnt-node list` and `gnt-instance list`
// with `--no-headers --separator=|` and explicit `-o` fields (commands.ts
// names them in this order), the job id `--submit` prints, and the error a
// failed job's `gnt-job watch` ends with. Ganeti names (nodes, instances)
// are host names, so `|` never appears in a field; list fields (secondary
// nodes, disk sizes, NIC links) are comma-separated.
import type { ManagedNode } from '../../../shared/cluster';
import type { VmState } from '../../../shared/model';

export const NODE_FIELDS = ['name', 'role', 'ctotal', 'mtotal', 'mfree'] as const;

export const INSTANCE_FIELDS = [
  'name',
  'uuid',
  'status',
  'pnode',
  'snodes',
  'disk_template',
  'os',
  'be/vcpus',
  'be/maxmem',
  'disk.sizes',
  'nic.links',
  'nic.macs',
] as const;

/** One instance as `gnt-instance list` gives it; sizes in MiB. */
export interface GanetiInstance {
  name: string;
  uuid: string;
  /** Ganeti's own status word: running, ADMIN_down, ERROR_down, … */
  status: string;
  state: VmState;
  primary: string;
  secondaries: string[];
  diskTemplate: string;
  os: string;
  vcpus: number;
  memoryMiB: number;
  diskSizesMiB: number[];
  nics: { link: string; mac: string }[];
}

const ROLES: Record<string, ManagedNode['role']> = {
  M: 'master',
  C: 'candidate',
  R: 'regular',
  D: 'drained',
  O: 'offline',
};

/** A number field; Ganeti prints '-' or '?' for what an offline node cannot say. */
const num = (s: string | undefined): number => {
  const n = Number(s);
  return s && Number.isFinite(n) ? n : 0;
};

const list = (s: string | undefined): string[] => (s ? s.split(',').filter(Boolean) : []);

function rows(stdout: string, width: number, what: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.split('|');
      if (f.length !== width)
        throw new Error(`Unexpected ${what} line (${f.length} fields, not ${width}): ${l}`);
      return f;
    });
}

export function parseNodes(stdout: string): ManagedNode[] {
  return rows(stdout, NODE_FIELDS.length, 'gnt-node list').map(([name, role, c, mt, mf]) => ({
    name: name!,
    role: ROLES[role!] ?? 'regular',
    cpus: num(c),
    memoryTotalMiB: num(mt),
    memoryFreeMiB: num(mf),
  }));
}

/** Ganeti's status in the app's VM states (gnt-instance(8), "status"). */
export function instanceState(status: string): VmState {
  switch (status) {
    case 'running':
    case 'ERROR_up': // running although marked down
    case 'ERROR_wrongnode': // running, on another node than its primary
      return 'running';
    case 'ADMIN_down':
    case 'USER_down':
    case 'ADMIN_offline':
      return 'shutoff';
    case 'ERROR_down':
      return 'crashed';
    default: // ERROR_nodedown, ERROR_nodeoffline: its node cannot say
      return 'unknown';
  }
}

export function parseInstances(stdout: string): GanetiInstance[] {
  return rows(stdout, INSTANCE_FIELDS.length, 'gnt-instance list').map((f) => {
    const [name, uuid, status, pnode, snodes, tmpl, os, vcpus, mem, sizes, links, macs] = f;
    const macList = list(macs);
    return {
      name: name!,
      uuid: uuid!,
      status: status!,
      state: instanceState(status!),
      primary: pnode!,
      secondaries: list(snodes),
      diskTemplate: tmpl!,
      os: os!,
      vcpus: num(vcpus),
      memoryMiB: num(mem),
      diskSizesMiB: list(sizes).map(num),
      nics: list(links).map((link, i) => ({ link, mac: macList[i] ?? '' })),
    };
  });
}

/** The job id a `--submit` prints ("7: inst1" for an instance command, "JobID: 7" for others, on stderr). */
export function parseSubmittedJob(stdout: string): string {
  const m = /^(?:JobID:\s*)?(\d+)\b/m.exec(stdout.trim());
  if (!m) throw new Error(`No job id in the answer: ${stdout.trim() || '(nothing)'}`);
  return m[1]!;
}

/**
 * A failed job's error as `gnt-job watch` prints it on stderr ("Job 11
 * failed: Failure: prerequisites not met …\nerror type: …\n<details>"): the
 * details line is Ganeti's own sentence; the rest is kept as it is.
 */
export function jobError(stderr: string): string {
  return stderr
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** The log lines `gnt-job watch` streams, without its banner. */
export function jobLogLines(chunk: string): string[] {
  return chunk
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^Output from job \d+ follows$/.test(l) && !/^-+$/.test(l));
}
