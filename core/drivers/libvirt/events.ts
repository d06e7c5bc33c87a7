// libvirt's own event streams, all four in one exec channel: each exec
// channel costs sshd ~100 ms to set up, and one channel is one thing to
// watch. The script is fixed text; nothing from the user goes into it.
import type { ClientChannel } from 'ssh2';
import type { SshSession } from '../../ssh/session';
import { LIBVIRT_URI } from './commands';

export type EventKind = 'vms' | 'pools' | 'networks';

/** The four streams, each one `virsh … --loop`. */
const STREAMS = [
  'event --all',
  'pool-event --event lifecycle',
  'pool-event --event refresh',
  'net-event --event lifecycle',
];

/**
 * What each stream prints once its virsh is connected to libvirtd: the
 * channel opening says nothing of the four virsh started behind it, and a
 * load made before they listen could miss a change made meanwhile (seen: a
 * volume created right after a connect never showed). Each virsh runs `uri`
 * (which connects) and then its event loop, whose registration follows
 * within milliseconds; the line the `uri` prints becomes this marker.
 */
export const LISTENING = 'clusterdeck-events-connected';
/** A node whose streams never say so is followed anyway after this long, as before. */
const LISTENING_WAIT_MS = 15_000;

// If any stream ends (libvirtd restarted), `kill 0` ends them all and the
// channel closes, so the driver reconnects; when we close the channel,
// `read` sees end of input and the trap stops every virsh on the node.
const EVENTS_SCRIPT = [
  "trap 'kill 0' EXIT",
  `for a in ${STREAMS.map((a) => `'${a}'`).join(' ')}; do (virsh -c ${LIBVIRT_URI} "uri; $a --loop" | { read -r _; echo ${LISTENING}; cat; }; kill 0) & done`,
  'read -r _',
].join('; ');

const LINE = /^event '[^']+' for (domain|storage pool|network) /;
const KINDS: Record<string, EventKind> = {
  domain: 'vms',
  'storage pool': 'pools',
  network: 'networks',
};

/** Which kind of entity an event line is about; undefined when unclear. */
export function eventKind(line: string): EventKind | undefined {
  const m = LINE.exec(line);
  return m?.[1] ? KINDS[m[1]] : undefined;
}

const SNAPSHOT_LINE = /^event 'lifecycle' for domain '(.*)': \w+ Snapshot$/;

/**
 * The domain a snapshot event is about ("Defined Snapshot" after a revert,
 * "Started Snapshot", …), or undefined. libvirt reports no event when a
 * snapshot is taken or deleted.
 */
export function snapshotEventDomain(line: string): string | undefined {
  return SNAPSHOT_LINE.exec(line)?.[1];
}

/**
 * Opens the streams; resolves once all of them listen (or the channel ended,
 * which `onEnd` reports), so a load made after it misses no change.
 */
export async function followEvents(
  session: SshSession,
  onEvent: (kind: EventKind | undefined, line: string) => void,
  onEnd: () => void,
): Promise<ClientChannel> {
  const channel = await session.openChannel(['sh', '-c', EVENTS_SCRIPT]);
  let listening = 0;
  let ready: () => void = () => undefined;
  const allListening = new Promise<void>((resolve) => (ready = resolve));
  const timer = setTimeout(() => ready(), LISTENING_WAIT_MS);
  let partial = '';
  channel.setEncoding('utf8');
  channel.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === LISTENING) {
        if (++listening === STREAMS.length) ready();
      } else if (line.trim()) onEvent(eventKind(line), line);
    }
  });
  channel.stderr.on('data', () => undefined);
  channel.on('close', () => {
    ready();
    onEnd();
  });
  await allListening;
  clearTimeout(timer);
  return channel;
}
