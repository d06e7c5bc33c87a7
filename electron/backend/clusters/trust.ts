// Trust between the nodes of a cluster, so node-to-node libvirt connections
// over SSH (migration, qemu+ssh://) work without prompts: every node gets a
// key of its own, each node's key goes into the others' authorized_keys, and
// the host keys Clusterdeck verified when the nodes were added go into the
// others' known_hosts (nothing is trusted on first use). Each step appends
// only the lines that are missing, so running it again changes nothing.

/** Makes the node's own key if it has none, and prints its public half. */
export function nodeKeyArgv(comment: string): string[] {
  return [
    'sh',
    '-c',
    'umask 077; mkdir -p "$HOME/.ssh" && { [ -f "$HOME/.ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C "$1" -f "$HOME/.ssh/id_ed25519"; } && cat "$HOME/.ssh/id_ed25519.pub"',
    'clusterdeck-node-key',
    comment,
  ];
}

/**
 * Appends lines from stdin that are not there yet: "A <line>" to
 * authorized_keys, "K <line>" to known_hosts. Prints what it added, so an
 * undo knows exactly which lines are ours.
 */
export const ADD_TRUST_ARGV: readonly string[] = [
  'sh',
  '-c',
  'umask 077; mkdir -p "$HOME/.ssh"; touch "$HOME/.ssh/authorized_keys" "$HOME/.ssh/known_hosts"; while IFS= read -r l; do v=${l#? }; case $l in "A "*) t=$HOME/.ssh/authorized_keys;; "K "*) t=$HOME/.ssh/known_hosts;; *) continue;; esac; grep -qxF -- "$v" "$t" || { printf "%s\\n" "$v" >> "$t"; printf "added %s\\n" "${l%% *}"; }; done',
  'clusterdeck-trust',
];

/** The lines one node needs: the other nodes' public keys and host keys. */
export function trustInput(peerPublicKeys: readonly string[], peerHostKeyLines: readonly string[]) {
  return [
    ...peerPublicKeys.map((k) => `A ${k.trim()}`),
    ...peerHostKeyLines.map((k) => `K ${k.trim()}`),
    '',
  ].join('\n');
}

/** The libvirt URI one node uses to reach another over SSH. */
export function nodeUri(peer: { address: string; port: number; user: string }): string {
  const host = peer.address.includes(':') ? `[${peer.address}]` : peer.address;
  const port = peer.port === 22 ? '' : `:${peer.port}`;
  return `qemu+ssh://${peer.user}@${host}${port}/system`;
}

/** From one node: a libvirt connection to another over SSH, with no prompt allowed. */
export function checkPeerArgv(peer: { address: string; port: number; user: string }): string[] {
  return ['virsh', '-c', `${nodeUri(peer)}?no_tty=1`, 'hostname'];
}
