// libvirt's own event streams, all four in one exec channel: each exec
// channel costs sshd ~100 ms to set up, and one channel is one thing to
// watch. The script is fixed text; nothing from the user goes into it.
import type { ClientChannel } from 'ssh2';
import type { SshSession } from '../../ssh/session';
import { LIBVIRT_URI } from './commands';

export type EventKind = 'vms' | 'pools' | 'networks';

// If any stream ends (libvirtd restarted), `kill 0` ends them all and the
// channel closes, so the driver reconnects; when we close the channel,
// `read` sees end of input and the trap stops every virsh on the node.
const EVENTS_SCRIPT = [
  "trap 'kill 0' EXIT",
  `for a in 'event --all' 'pool-event --event lifecycle' 'pool-event --event refresh' 'net-event --event lifecycle'; do (virsh -c ${LIBVIRT_URI} $a --loop; kill 0) & done`,
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

export async function followEvents(
  session: SshSession,
  onEvent: (kind: EventKind | undefined, line: string) => void,
  onEnd: () => void,
): Promise<ClientChannel> {
  const channel = await session.openChannel(['sh', '-c', EVENTS_SCRIPT]);
  let partial = '';
  channel.setEncoding('utf8');
  channel.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onEvent(eventKind(line), line);
  });
  channel.stderr.on('data', () => undefined);
  channel.on('close', onEnd);
  return channel;
}
