// Trust between the nodes of a cluster, so node-to-node libvirt connections
// over SSH (migration, qemu+ssh://) work without prompts, and no further.
// Every node gets a dedicated cluster key of its own in ~/.ssh/clusterdeck/
// (never the user's default key). Each peer takes that key in its
// authorized_keys as `from="<node's address>",restrict <key>`: usable only
// from that address, with no pty, no forwarding of any kind and no ~/.ssh/rc,
// which is all libvirt's qemu+ssh needs (it runs virt-ssh-helper or nc as a
// plain command; migration data goes over its own TCP connection). The host
// keys Clusterdeck verified go into ~/.ssh/clusterdeck/known_hosts (nothing is
// trusted on first use, the user's own known_hosts is not touched), and
// sshConfig.ts says which key, source address and known_hosts to use.
// Each step appends only the lines that are missing, so running it again
// changes nothing, and prints what it did, so an undo takes back exactly that.
import { isIP } from 'node:net';
import { ClusterdeckError } from '../../../../shared/errors';

/** Where a node keeps what Clusterdeck made for its cluster, under $HOME. */
export const CLUSTER_DIR = '.ssh/clusterdeck';

/**
 * The comment of a node's cluster key: it names the node, and marks the
 * authorized_keys lines Clusterdeck added, so Remove node finds them even
 * when the node that left is unreachable.
 */
export function keyComment(nodeName: string): string {
  return `clusterdeck-cluster@${nodeName.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

/**
 * The comments whose authorized_keys lines Remove takes back for a node: its
 * cluster key's, and the one Clusterdeck versions before the dedicated key
 * gave the node's default key (`clusterdeck@<node>`, granted unrestricted).
 */
export function revokedComments(nodeName: string): string[] {
  const legacy = `clusterdeck@${nodeName}`;
  return [keyComment(nodeName), ...(/^\S+$/.test(legacy) ? [legacy] : [])];
}

/**
 * Makes the node's cluster key if it has none ("made" first, so an undo
 * knows the key is ours), and prints its public half last.
 */
export function nodeKeyArgv(comment: string): string[] {
  return [
    'sh',
    '-c',
    `umask 077; d="$HOME/${CLUSTER_DIR}"; mkdir -p "$d" && { [ -f "$d/id_ed25519" ] || { ssh-keygen -q -t ed25519 -N "" -C "$1" -f "$d/id_ed25519" && echo made; }; } && cat "$d/id_ed25519.pub"`,
    'clusterdeck-node-key',
    comment,
  ];
}

/** The public key a nodeKeyArgv run made, or undefined when the key was there already. */
export function madeKey(stdout: string): string | undefined {
  const lines = stdout.trim().split('\n');
  return lines[0] === 'made' ? lines.at(-1) : undefined;
}

/**
 * The public key a node printed, taken only in the exact form
 * `ssh-ed25519 <base64> <comment>` with the comment Clusterdeck gave it: a
 * line with options (`cert-authority,…`) or another key type never reaches
 * a peer's authorized_keys.
 */
export function nodePublicKey(stdout: string, node: string, comment: string): string {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const m = /^ssh-ed25519 (AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43}) (\S+)$/.exec(line);
  if (!m || m[2] !== comment)
    throw new ClusterdeckError(
      'command-failed',
      `${node}: its cluster key (~/${CLUSTER_DIR}/id_ed25519.pub) is not a plain “ssh-ed25519 <key> ${comment}” line; remove ~/${CLUSTER_DIR} on ${node} and run the plan again.`,
    );
  return `ssh-ed25519 ${m[1]} ${comment}`;
}

/**
 * The line a peer's authorized_keys takes for a node's key: only from the
 * node's address, and `restrict` (no pty, no port, agent or X11 forwarding,
 * no ~/.ssh/rc). A forced command is left out: libvirt's remote command
 * differs between versions (virt-ssh-helper, or nc through sh -c).
 */
export function authorizedLine(publicKey: string, fromAddress: string): string {
  if (!isIP(fromAddress))
    throw new ClusterdeckError('invalid-input', `${fromAddress} is not an IP address.`);
  return `from="${fromAddress}",restrict ${publicKey}`;
}

/** Removes the node's cluster key, but only while it is still the one that was made. */
export function removeKeyArgv(publicKey: string): string[] {
  return [
    'sh',
    '-c',
    `d="$HOME/${CLUSTER_DIR}"; f="$d/id_ed25519"; [ ! -e "$f.pub" ] || [ "$(cat "$f.pub")" != "$1" ] || rm -f -- "$f" "$f.pub"; rmdir "$d" 2>/dev/null; true`,
    'clusterdeck-remove-key',
    publicKey,
  ];
}

/** Deletes the node's cluster key and its known_hosts: the last step of Remove, nothing after it to undo. */
export const DELETE_CLUSTER_KEY_ARGV: readonly string[] = [
  'sh',
  '-c',
  `d="$HOME/${CLUSTER_DIR}"; rm -f -- "$d/id_ed25519" "$d/id_ed25519.pub" "$d/known_hosts" && { [ ! -d "$d" ] || rmdir -- "$d"; }`,
  'clusterdeck-delete-key',
];

// "A <line>" is for authorized_keys, "K <line>" for the cluster's known_hosts.
const PICK_FILE = `v=\${l#? }; case $l in "A "*) t=$HOME/.ssh/authorized_keys;; "K "*) t=$HOME/${CLUSTER_DIR}/known_hosts;; *) continue;; esac;`;

// Replaces file $1 by $1.clusterdeck-new with the same owner and mode, in
// one rename: a crash leaves the old file or the new one, never half of one.
const REPLACE_FILE =
  'replace() { chmod --reference="$1" -- "$1.clusterdeck-new" && chown --reference="$1" -- "$1.clusterdeck-new" && mv -f -- "$1.clusterdeck-new" "$1"; };';

/**
 * Appends lines from stdin that are not there yet. It prints each file it
 * makes ("made A") and each line it adds ("added A <line>"), so an undo knows
 * exactly what is ours. A line that cannot be written stops it with an error.
 */
export const ADD_TRUST_ARGV: readonly string[] = [
  'sh',
  '-c',
  `umask 077; mkdir -p "$HOME/${CLUSTER_DIR}" || exit 1; ` +
    `for x in A:authorized_keys K:clusterdeck/known_hosts; do f=$HOME/.ssh/\${x#*:}; [ -e "$f" ] || { : > "$f" && echo "made \${x%%:*}"; } || exit 1; done; ` +
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
  `umask 077; ${REPLACE_FILE} while IFS= read -r l; do ` +
    `case $l in "E A") f=$HOME/.ssh/authorized_keys;; "E K") f=$HOME/${CLUSTER_DIR}/known_hosts;; *) f=;; esac; ` +
    'if [ -n "$f" ]; then [ -s "$f" ] || rm -f -- "$f"; continue; fi; ' +
    `${PICK_FILE} [ -f "$t" ] || continue; grep -vxF -- "$v" "$t" > "$t.clusterdeck-new"; replace "$t" || exit 1; printf "removed %s\\n" "\${l%% *}"; done`,
  'clusterdeck-untrust',
];

/**
 * Takes trust back: from authorized_keys every line whose comment (last
 * field) is one of the "C <comment>" lines on stdin, from the cluster's
 * known_hosts the exact "K <line>" lines. The administrator's own lines stay.
 * It prints each line it removes ("removed A <line>"), so an undo can add
 * exactly those back with ADD_TRUST_ARGV.
 */
export const REVOKE_TRUST_ARGV: readonly string[] = [
  'sh',
  '-c',
  `umask 077; ${REPLACE_FILE} req=$(cat); ` +
    'prune() { [ -f "$1" ] || return 0; printf "%s\\n" "$req" | awk -v tag="$2" -v out="$1.clusterdeck-new" ' +
    `'FNR == NR { if ($1 == "C") c[$2] = 1; else if (sub(/^K /, "")) k[$0] = 1; next } ` +
    `(tag == "A" && NF > 1 && ($NF in c)) || (tag == "K" && ($0 in k)) { print "removed " tag " " $0; next } ` +
    `{ print > out }' - "$1" || return 1; [ -e "$1.clusterdeck-new" ] || : > "$1.clusterdeck-new"; replace "$1"; }; ` +
    `prune "$HOME/.ssh/authorized_keys" A && prune "$HOME/${CLUSTER_DIR}/known_hosts" K`,
  'clusterdeck-revoke',
];

/** What a REVOKE_TRUST_ARGV run removed, as ADD_TRUST_ARGV's input. */
export function revokedTrust(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^removed [AK] /.test(l))
    .map((l) => l.slice('removed '.length));
}

/** The lines one node needs: the other nodes' authorized_keys lines and host keys. */
export function trustInput(
  peerAuthorizedLines: readonly string[],
  peerHostKeyLines: readonly string[],
) {
  return [
    ...peerAuthorizedLines.map((k) => `A ${k.trim()}`),
    ...peerHostKeyLines.map((k) => `K ${k.trim()}`),
    '',
  ].join('\n');
}
