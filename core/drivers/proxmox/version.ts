// Which Proxmox VE a node runs, from `pveversion`, and two lines of
// detect.ts's one probe script: `pveversion`'s line with a `pve:` prefix
// and whether the cluster file system is mounted (without pmxcfs, /etc/pve
// is empty and neither the certificate nor the API is there), so the driver
// can name the version and refuse an unsupported one without another exec.

export interface PveVersion {
  /** pve-manager's version, "8.2.4". */
  manager: string;
  major: number;
  minor: number;
  /** The build's repository id, "faa83925c9641325". */
  repoid: string;
  /** The running kernel, "6.8.8-2-pve"; '' when not printed. */
  kernel: string;
}

/** The versions Clusterdeck is built and tested against (PVE 8 and 9). */
export const SUPPORTED_MAJORS = [8, 9] as const;

/**
 * Reads `pveversion` (`pve-manager/8.2.4/faa83925c9641325 (running kernel:
 * 6.8.8-2-pve)`) or the pve-manager line of `pveversion -v` (`pve-manager:
 * 8.2.4 (running version: 8.2.4/faa83925c9641325)`, with the kernel on the
 * proxmox-ve line). Undefined when neither is there.
 */
export function parsePveVersion(output: string): PveVersion | undefined {
  const plain =
    /^pve-manager\/(\d+)\.(\d+)(?:\.(\d+))?\/([0-9a-f]+)(?:\s+\(running kernel:\s*([^)\s]+)\))?/m.exec(
      output,
    );
  if (plain) {
    const [, major, minor, patch, repoid, kernel] = plain;
    return version(major!, minor!, patch, repoid!, kernel ?? '');
  }
  const verbose =
    /^pve-manager:\s*[^\s]+\s+\(running version:\s*(\d+)\.(\d+)(?:\.(\d+))?\/([0-9a-f]+)\)/m.exec(
      output,
    );
  if (!verbose) return undefined;
  const kernel = /^proxmox-ve:.*\(running kernel:\s*([^)\s]+)\)/m.exec(output)?.[1] ?? '';
  const [, major, minor, patch, repoid] = verbose;
  return version(major!, minor!, patch, repoid!, kernel);
}

function version(
  major: string,
  minor: string,
  patch: string | undefined,
  repoid: string,
  kernel: string,
): PveVersion {
  return {
    manager: [major, minor, patch].filter((p) => p !== undefined).join('.'),
    major: Number(major),
    minor: Number(minor),
    repoid,
    kernel,
  };
}

/** Why Clusterdeck does not manage this version, or undefined when it does. */
export function unsupportedPveVersion(v: PveVersion, label: string): string | undefined {
  if ((SUPPORTED_MAJORS as readonly number[]).includes(v.major)) return undefined;
  return `${label} runs Proxmox VE ${v.manager}; Clusterdeck manages Proxmox VE ${SUPPORTED_MAJORS.join(' and ')}. ${v.major < SUPPORTED_MAJORS[0] ? 'Upgrade the node (pve7to8), then reconnect.' : 'This Clusterdeck predates that release: update Clusterdeck.'}`;
}

/** detect.ts's probe lines for Proxmox VE (fixed text, nothing from the user). */
export const PVE_PROBE_LINES = [
  'command -v pveversion >/dev/null 2>&1 && pveversion 2>/dev/null | sed "s/^/pve:/"',
  'test -e /etc/pve/local/pve-ssl.pem && echo "has:pmxcfs"',
] as const;

/** What those lines say, read from the probe's output. */
export interface PveProbe {
  version?: PveVersion;
  /** /etc/pve is mounted (pve-cluster runs): the certificate and the API are there. */
  clusterFs: boolean;
}

export function parsePveProbe(stdout: string): PveProbe {
  const lines = stdout.split('\n');
  const pve = lines
    .filter((l) => l.startsWith('pve:'))
    .map((l) => l.slice(4))
    .join('\n');
  const version = parsePveVersion(pve);
  return { ...(version ? { version } : {}), clusterFs: lines.includes('has:pmxcfs') };
}
