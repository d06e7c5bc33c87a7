// The Proxmox lab (scripts/lab-pve, docs/lab.md "Proxmox lab"): nodes reached
// the way Clusterdeck reaches a real PVE node. Real sshd with the host key
// pinned; the node's tools (the lab's stand-ins) answer as Proxmox's do; the
// API on the node's own 127.0.0.1:8006, through an SSH tunnel, presents the
// certificate the node reports for /etc/pve/local; one cluster state seen
// from every node. Uses the driver's own pieces (certificate, token,
// version, API client) against it. Starts the lab only if it is not up.
import { connect as tlsConnect } from 'node:tls';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lab';
import { PveApiClient, apiTunnel } from '../../core/drivers/proxmox/api-client';
import {
  CERT_FINGERPRINT_ARGV,
  parseCertFingerprint,
} from '../../core/drivers/proxmox/certificate';
import { parseTokenAdd, tokenAddArgv, tokenName } from '../../core/drivers/proxmox/token';
import { parsePveVersion } from '../../core/drivers/proxmox/version';
import { probeNode } from '../../core/drivers/detect';
import type { SshSession } from '../../core/ssh/session';
import {
  ensurePveLab,
  pveLabCommand,
  PVE_LAB_DIR,
  readPveLab,
  sshTo,
  type PveLab,
  type PveSsh,
  pveLabOrSkip,
} from '../pve-lab';

const canRun = pveLabOrSkip('pve-lab');

let lab: PveLab;
let startedLab = false;
const ssh: Record<string, PveSsh> = {};

beforeAll(async () => {
  if (!canRun) return;
  const t = Date.now();
  ({ startedLab } = ensurePveLab(3));
  console.log(`[pve-lab] lab ready in ${(Date.now() - t) / 1000} s (started: ${startedLab})`);
  lab = readPveLab();
  for (const n of lab.nodes) ssh[n.name] = await sshTo(lab, n);
}, 60_000);

afterAll(() => {
  for (const s of Object.values(ssh)) s.close();
  if (startedLab) pveLabCommand(['down']);
});

const json = async (node: string, argv: string[]): Promise<unknown> => {
  const r = await ssh[node]!.exec(argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

describe.skipIf(!canRun)('Proxmox lab nodes', () => {
  it('each node is its own host over SSH, and a wrong host key is refused', async () => {
    for (const n of lab.nodes) {
      const r = await ssh[n.name]!.exec(['hostname']);
      expect(r.stdout.trim()).toBe(n.name);
    }
    // Add Host's one probe (core/drivers/detect.ts) sees a Proxmox VE node.
    for (const n of lab.nodes) {
      // The probe runs through the session's open shell (`run`); here, one exec each.
      const session = {
        run: (argv: string[]) => ssh[n.name]!.exec(argv),
      } as unknown as SshSession;
      expect(await probeNode(session)).toMatchObject({ stack: 'proxmox', hostname: n.name });
    }
    const [a, b] = lab.nodes;
    await expect(sshTo(lab, a!, b!.hostKeyLine)).rejects.toThrow();
  });

  it('pveversion prints the simulated version the way Proxmox does', async () => {
    const apiVersion = (await json('pve1', [
      'pvesh',
      'get',
      '/version',
      '--output-format',
      'json',
    ])) as { version: string; repoid: string };
    for (const n of lab.nodes) {
      const r = await ssh[n.name]!.exec(['pveversion']);
      expect(r.stdout).toMatch(/^pve-manager\/\d+\.\d+\.\d+\/[0-9a-f]+ \(running kernel: \S+\)\n$/);
      const v = parsePveVersion(r.stdout)!;
      expect(v.manager).toBe(apiVersion.version);
      expect(v.repoid).toBe(apiVersion.repoid);
      expect(v.major).toBe(lab.version === 'pve8' ? 8 : 9);
    }
  });

  it('a VM created from one node is seen from another: one cluster state', async () => {
    const resources = async (node: string) =>
      (await json(node, [
        'pvesh',
        'get',
        '/cluster/resources',
        '--type',
        'vm',
        '--output-format',
        'json',
      ])) as {
        vmid: number;
        node: string;
        name: string;
        status: string;
      }[];
    const taken = new Set((await resources('pve2')).map((r) => r.vmid));
    let vmid = randomInt(1000, 9000);
    while (taken.has(vmid)) vmid++;
    const upid = (await json('pve1', [
      'pvesh',
      'create',
      '/nodes/pve1/qemu',
      '--vmid',
      String(vmid),
      '--name',
      `lab-${vmid}`,
      '--memory',
      '512',
      '--scsi0',
      'local-lvm:4',
      '--output-format',
      'json',
    ])) as string;
    expect(upid).toMatch(
      new RegExp(`^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmcreate:${vmid}:root@pam:$`),
    );
    const seen = (await resources('pve2')).find((r) => r.vmid === vmid);
    expect(seen).toMatchObject({ node: 'pve1', name: `lab-${vmid}`, status: 'stopped' });
    // The VM is locked (create) until its worker task ends: wait for it as a client does.
    await waitFor(
      async () => {
        const st = (await json('pve2', [
          'pvesh',
          'get',
          `/nodes/pve1/tasks/${upid}/status`,
          '--output-format',
          'json',
        ])) as { status: string; exitstatus?: string };
        if (st.status !== 'stopped') return false;
        expect(st.exitstatus).toBe('OK');
        return true;
      },
      'the create task to end',
      20_000,
    );
    // qm on its node starts it (and waits for the task); qm list there shows it running.
    const start = await ssh.pve1!.exec(['qm', 'start', String(vmid)]);
    expect(start).toMatchObject({ code: 0, stderr: '' });
    const list = (await ssh.pve1!.exec(['qm', 'list'])).stdout.split('\n');
    expect(list[0]).toMatch(/^\s+VMID NAME\s+STATUS\s+MEM\(MB\)\s+BOOTDISK\(GB\) PID/);
    expect(list.find((l) => l.trim().startsWith(`${vmid} `))).toMatch(
      new RegExp(`^\\s+${vmid} lab-${vmid}\\s+running\\s+512\\s+4\\.00 \\d+`),
    );
    expect((await resources('pve3')).find((r) => r.vmid === vmid)?.status).toBe('running');
    // Not on pve2: its qm finds no such VM there, as PVE's says it.
    const elsewhere = await ssh.pve2!.exec(['qm', 'start', String(vmid)]);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain(
      `Configuration file 'nodes/pve2/qemu-server/${vmid}.conf' does not exist`,
    );
  });

  it('pct list and pvecm status answer in their real formats', async () => {
    const pct = (await ssh.pve1!.exec(['pct', 'list'])).stdout.split('\n');
    expect(pct[0]).toBe('VMID       Status     Lock         Name');
    expect(
      pct
        .slice(1)
        .filter(Boolean)
        .every((l) => /^\d+\s+(running|stopped)\s+\S*\s*\S+$/.test(l)),
    ).toBe(true);
    const status = (await ssh.pve2!.exec(['pvecm', 'status'])).stdout;
    expect(status).toMatch(new RegExp(`^Name:\\s+${lab.clusterName}$`, 'm'));
    expect(status).toMatch(/^Quorate:\s+Yes$/m);
    expect(status).toMatch(/^Node ID:\s+0x00000002$/m);
    const members = status.slice(status.indexOf('Nodeid')).split('\n').slice(1).filter(Boolean);
    expect(members).toHaveLength(lab.nodes.length);
    expect(members.filter((l) => l.endsWith(' (local)'))).toEqual([
      expect.stringMatching(/^0x00000002 /),
    ]);
  });

  it('a bad parameter is refused with PVE’s message', async () => {
    const r = await ssh.pve2!.exec([
      'pvesh',
      'create',
      '/nodes/pve2/qemu',
      '--vmid',
      '99',
      '--cores',
      'many',
    ]);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^400 Parameter verification failed\.\n/);
    expect(r.stderr).toMatch(/^cores: type check \('integer'\) failed - got 'many'$/m);
    expect(r.stderr).toMatch(/^vmid: invalid format - value does not look like a valid VM ID$/m);
  });

  it('the certificate fingerprint read over SSH is the one the node’s 127.0.0.1:8006 presents', async () => {
    const seen = new Set<string>();
    for (const n of lab.nodes) {
      const r = await ssh[n.name]!.exec([...CERT_FINGERPRINT_ARGV]);
      expect(r.code).toBe(0);
      const reported = parseCertFingerprint(r.stdout);
      const tunnel = await ssh[n.name]!.forwardOut('127.0.0.1', 8006);
      const presented = await new Promise<string>((resolve, reject) => {
        const tls = tlsConnect({ socket: tunnel, rejectUnauthorized: false }, () => {
          resolve(tls.getPeerCertificate().fingerprint256);
          tls.end();
        });
        tls.once('error', reject);
      });
      expect(presented).toBe(reported);
      expect(presented).toBe(n.apiFingerprint);
      seen.add(presented);
    }
    expect(seen.size).toBe(lab.nodes.length);
  });

  it('a token made with pveum works with the driver’s API client, and each node answers as itself', async () => {
    const name = tokenName(`lab${randomInt(1e6)}`);
    const node = lab.nodes[2]!;
    const r = await ssh[node.name]!.exec(tokenAddArgv(name));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const token = parseTokenAdd(r.stdout, name);
    expect(JSON.parse(r.stdout)).toMatchObject({
      info: { privsep: 0, comment: 'Clusterdeck desktop app' },
    });
    const again = await ssh[node.name]!.exec(tokenAddArgv(name));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Token already exists.');
    // The same token on every node (one cluster); `local` is the node asked.
    for (const n of lab.nodes) {
      const fp = parseCertFingerprint((await ssh[n.name]!.exec([...CERT_FINGERPRINT_ARGV])).stdout);
      const api = new PveApiClient({
        node: n.name,
        openTunnel: apiTunnel(ssh[n.name]!),
        fingerprint: fp,
        token,
      });
      const status =
        await api.get<{ type: string; name: string; local?: number }[]>('/cluster/status');
      expect(status.filter((s) => s.type === 'node' && s.local === 1).map((s) => s.name)).toEqual([
        n.name,
      ]);
    }
    // A client pinned to another node's certificate is refused.
    const wrong = new PveApiClient({
      node: 'pve1',
      openTunnel: apiTunnel(ssh.pve1!),
      fingerprint: lab.nodes[1]!.apiFingerprint,
      token,
    });
    await expect(wrong.get('/version')).rejects.toThrow();
  });
});

describe.skipIf(!canRun)('Proxmox lab down', () => {
  it('leaves no process, namespace or mount behind', () => {
    // A lab of its own (one node, another address and folder), so the shared one stays.
    const dir = `${PVE_LAB_DIR}-down-check`;
    const base = Number(process.env['PVE_LAB_BASE'] ?? 150) + 6;
    pveLabCommand(['down'], { dir, base });
    pveLabCommand(['up', '1'], { dir, base });
    const d = `${dir}/pve1`;
    const pids = [
      readFileSync(`${d}/holder.pid`, 'utf8'),
      readFileSync(`${d}/ssh-forward.pid`, 'utf8'),
      readFileSync(`${dir}/daemon.pid`, 'utf8'),
    ].map((p) => Number(p.trim()));
    const nsOf = (pid: number | string, kind: string): number | undefined => {
      try {
        return statSync(`/proc/${pid}/ns/${kind}`).ino;
      } catch {
        return undefined;
      }
    };
    const running = (pid: number | string): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const holder = pids[0]!;
    const nodeNs = { net: nsOf(holder, 'net'), mnt: nsOf(holder, 'mnt'), uts: nsOf(holder, 'uts') };
    expect(nodeNs.net).toBe(Number(readFileSync(`${d}/netns`, 'utf8').trim()));
    expect(nodeNs.net).not.toBe(nsOf('self', 'net'));
    expect(pids.every(running)).toBe(true);
    pveLabCommand(['down'], { dir, base });
    expect(pids.filter(running)).toEqual([]);
    const left = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p) && running(p))
      .filter((p) => (['net', 'mnt', 'uts'] as const).some((k) => nsOf(p, k) === nodeNs[k]));
    expect(left).toEqual([]);
    // The node's mounts were private to it: none reached the machine's namespace.
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
    expect(existsSync(`${dir}/lab.json`)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
