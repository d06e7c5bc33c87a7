// Trust between the nodes of a cluster, so node-to-node libvirt connections
// over SSH (migration, qemu+ssh://) work without prompts: every node gets a
// key of its own, each node's key goes into the others' authorized_keys, and
// the host keys Clusterdeck verified when the nodes were added go into the
// others' known_hosts (nothing is trusted on first use). Each step appends
// only the lines that are missing, so running it again changes nothing.

/**
 * Makes the node's own key if it has none ("made" first, so an undo knows
 * the key is ours), and prints its public half last.
 */
export function nodeKeyArgv(comment: string): string[] {
  return [
    'sh',
    '-c',
    'umask 077; mkdir -p "$HOME/.ssh" && { [ -f "$HOME/.ssh/id_ed25519" ] || { ssh-keygen -q -t ed25519 -N "" -C "$1" -f "$HOME/.ssh/id_ed25519" && echo made; }; } && cat "$HOME/.ssh/id_ed25519.pub"',
    'clusterdeck-node-key',
    comment,
  ];
}

/** The public key a nodeKeyArgv run made, or undefined when the key was there already. */
export function madeKey(stdout: string): string | undefined {
  const lines = stdout.trim().split('\n');
  return lines[0] === 'made' ? lines.at(-1) : undefined;
}

/** Removes the node's key, but only while it is still the one that was made. */
export function removeKeyArgv(publicKey: string): string[] {
  return [
    'sh',
    '-c',
    'f="$HOME/.ssh/id_ed25519"; [ ! -e "$f.pub" ] || [ "$(cat "$f.pub")" != "$1" ] || rm -f -- "$f" "$f.pub"',
    'clusterdeck-remove-key',
    publicKey,
  ];
}

// "A <line>" is for authorized_keys, "K <line>" for known_hosts.
const PICK_FILE =
  'v=${l#? }; case $l in "A "*) t=$HOME/.ssh/authorized_keys;; "K "*) t=$HOME/.ssh/known_hosts;; *) continue;; esac;';

/**
 * Appends lines from stdin that are not there yet. It prints each file it
 * makes ("made A") and each line it adds ("added A <line>"), so an undo knows
 * exactly what is ours. A line that cannot be written stops it with an error.
 */
export const ADD_TRUST_ARGV: readonly string[] = [
  'sh',
  '-c',
  'umask 077; mkdir -p "$HOME/.ssh" || exit 1; ' +
    'for x in A:authorized_keys K:known_hosts; do f=$HOME/.ssh/${x#*:}; [ -e "$f" ] || { : > "$f" && echo "made ${x%%:*}"; } || exit 1; done; ' +
    `while IFS= read -r l; do ${PICK_FILE} grep -qxF -- "$v" "$t" && continue; printf "%s\\n" "$v" >> "$t" || exit 1; printf "added %s\\n" "$l"; done`,
  'clusterdeck-trust',
];

/**
 * What an ADD_TRUST_ARGV run did, as REMOVE_TRUST_ARGV's input: the lines it
 * added, then "E A" / "E K" for the files it made (removed if left empty).
 */
export function addedTrust(stdout: string): string[] {
  const lines = stdout.split('\n');
  return [
    ...lines.filter((l) => l.startsWith('added ')).map((l) => l.slice('added '.length)),
    ...lines.filter((l) => /^made [AK]$/.test(l)).map((l) => `E ${l.slice(-1)}`),
  ];
}

/** Removes exactly the lines on stdin (same format), keeping each file's owner and mode. */
export const REMOVE_TRUST_ARGV: readonly string[] = [
  'sh',
  '-c',
  'umask 077; while IFS= read -r l; do ' +
    'case $l in "E A") f=$HOME/.ssh/authorized_keys;; "E K") f=$HOME/.ssh/known_hosts;; *) f=;; esac; ' +
    'if [ -n "$f" ]; then [ -s "$f" ] || rm -f -- "$f"; continue; fi; ' +
    `${PICK_FILE} [ -f "$t" ] || continue; grep -vxF -- "$v" "$t" > "$t.clusterdeck-undo"; cat "$t.clusterdeck-undo" > "$t" && rm -f -- "$t.clusterdeck-undo" || exit 1; printf "removed %s\\n" "\${l%% *}"; done`,
  'clusterdeck-untrust',
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
