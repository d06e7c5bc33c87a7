// What every bench part shares: the lab node, how to reach it with OpenSSH
// and with Clusterdeck's SSH core, and the shape of a measure.
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { DataWorker } from '../../core/dataplane/data-worker';
import { SshSession } from '../../core/ssh/session';

export interface Measure {
  name: string;
  unit: string;
  clusterdeck: number;
  peer: string;
  peerValue: number;
  /** clusterdeck / peerValue: below 1 is better for times, above 1 for rates. */
  ratio: number;
}

export function measure(
  name: string,
  unit: string,
  clusterdeck: number,
  peer: string,
  peerValue: number,
): Measure {
  return { name, unit, clusterdeck, peer, peerValue, ratio: clusterdeck / peerValue };
}

/** A figure with no peer to hold it against (memory, a latency of the app's own): no ratio. */
export function solo(name: string, unit: string, clusterdeck: number): Measure {
  return { name, unit, clusterdeck, peer: '', peerValue: NaN, ratio: NaN };
}

export interface LabJson {
  dir: string;
  /** Whether the lab's guests run under KVM (else TCG). */
  kvm?: boolean;
  keyPath: string;
  user: string;
  nodes: { name: string; host: string; port: number; hostKeyFingerprint?: string }[];
}

export interface BenchContext {
  lab: LabJson;
  node: LabJson['nodes'][number];
  /** OpenSSH options for the lab node, trusting only the lab's known_hosts. */
  sshBase: string[];
  target: string;
  tmp: string;
  /** A Clusterdeck SSH session to the node. */
  connect(): Promise<SshSession>;
  /**
   * The node's data worker, as the app starts it on a console's or upload's
   * first use (core/dataplane): its own connection, the session's host key.
   */
  dataWorker(): Promise<DataWorker>;
}

export function benchContext(lab: LabJson, tmp: string, knownHosts: string): BenchContext {
  const node = lab.nodes[0]!;
  const creds = { user: lab.user, privateKey: readFileSync(lab.keyPath) };
  const connect = () =>
    SshSession.open(
      { label: node.name, address: node.host, port: node.port },
      creds,
      async () => true, // the lab's own key; trust is tested in the suites
    );
  return {
    lab,
    node,
    tmp,
    target: `${lab.user}@${node.host}`,
    sshBase: [
      ...['-i', lab.keyPath, '-p', String(node.port)],
      ...['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes'],
      ...['-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'],
    ],
    connect,
    dataWorker: async () => {
      const session = await connect();
      session.close();
      return DataWorker.start({ target: session.target, creds, hostKey: session.hostKey! });
    },
  };
}

export function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Waits until something listens on a loopback port. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
