// How a node reaches its cluster peers over SSH: one marked section in the
// login user's ~/.ssh/config with a `Host clusterdeck-<address>` alias per
// peer. The alias (not the peer's plain address) keeps the user's own
// `ssh <peer>` as it was; under it ssh uses only the node's cluster key,
// connects from the node's own address (so the peer's `from=` matches: on a
// host with several addresses, or in the lab where every node shares
// loopback, the kernel would pick another source), and checks the peer's
// host key against the cluster's known_hosts only. libvirt's qemu+ssh runs
// ssh, so a URI naming the alias gets all of that.
import type { Host } from '../../../../shared/model';
import { CLUSTER_DIR } from './trust';

const BEGIN = '# >>> clusterdeck cluster peers (managed by Clusterdeck)';
const END = '# <<< clusterdeck';

type Peer = Pick<Host, 'address' | 'port' | 'user'>;

/** The ssh host alias a node uses for a peer (an IPv6 address's colons become dashes). */
export function peerAlias(address: string): string {
  return `clusterdeck-${address.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

/** The libvirt URI one node uses to reach another over SSH, through the alias. */
export function nodeUri(peer: Peer): string {
  return `qemu+ssh://${peer.user}@${peerAlias(peer.address)}/system`;
}

/** From one node: a libvirt connection to another over SSH, with no prompt allowed. */
export function checkPeerArgv(peer: Peer): string[] {
  return ['virsh', '-c', `${nodeUri(peer)}?no_tty=1`, 'hostname'];
}

/** The section's body for a node: one alias per peer; empty when it has none left. */
export function sshConfigSection(self: Pick<Host, 'address'>, peers: readonly Peer[]): string {
  return peers
    .map((p) =>
      [
        `Host ${peerAlias(p.address)}`,
        `  HostName ${p.address}`,
        `  Port ${p.port}`,
        `  BindAddress ${self.address}`,
        `  IdentityFile ~/${CLUSTER_DIR}/id_ed25519`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ~/${CLUSTER_DIR}/known_hosts`,
        '  StrictHostKeyChecking yes',
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Replaces the section with stdin (an empty stdin removes it), keeping the
 * rest of the file, its owner and mode, in one rename. It prints the old
 * section's lines ("was <line>") and "made" for a file it made, so an undo
 * puts back exactly what was there; with "drop-if-empty" a file left empty
 * is removed.
 */
export function setSshConfigArgv(mode: 'keep' | 'drop-if-empty' = 'keep'): string[] {
  return [
    'sh',
    '-c',
    'umask 077; f=$HOME/.ssh/config; new=$(cat); ' +
      'if [ ! -e "$f" ]; then [ -n "$new" ] || exit 0; mkdir -p "$HOME/.ssh" && : > "$f" && echo made || exit 1; fi; ' +
      `awk -v b="$2" -v e="$3" '$0 == b { s = 1; next } $0 == e { s = 0; next } s { print "was " $0 }' "$f" || exit 1; ` +
      `awk -v b="$2" -v e="$3" '$0 == b { s = 1; next } $0 == e { s = 0; next } !s' "$f" > "$f.clusterdeck-new" || exit 1; ` +
      '[ -z "$new" ] || printf "%s\\n%s\\n%s\\n" "$2" "$new" "$3" >> "$f.clusterdeck-new" || exit 1; ' +
      'if [ "$1" = drop-if-empty ] && [ ! -s "$f.clusterdeck-new" ]; then rm -f -- "$f" "$f.clusterdeck-new"; exit; fi; ' +
      'chmod --reference="$f" -- "$f.clusterdeck-new" && chown --reference="$f" -- "$f.clusterdeck-new" && mv -f -- "$f.clusterdeck-new" "$f"',
    'clusterdeck-ssh-config',
    mode,
    BEGIN,
    END,
  ];
}

/** The undo of a setSshConfigArgv run: the section as it was (argv and stdin). */
export function previousSshConfig(stdout: string): { argv: string[]; stdin: string } {
  const lines = stdout.split('\n');
  const was = lines.filter((l) => l.startsWith('was ')).map((l) => l.slice('was '.length));
  return {
    argv: setSshConfigArgv(lines.includes('made') ? 'drop-if-empty' : 'keep'),
    stdin: was.length ? `${was.join('\n')}\n` : '',
  };
}
