// Many cheap guests on a lab node, for the inventory bench and the batched
// load's lab test: inactive domains of 64 MiB with no disk or device of
// their own (libvirt adds its defaults), defined in one virsh and undefined
// the same way. Names are `<prefix>-001` … so they can be found again.
import type { SshSession } from '../../core/ssh/session';

const PREFIX = /^[a-z][a-z0-9-]{0,30}$/;

// Fixed scripts, sent on sh's stdin: the prefix and count arrive as
// positional parameters ($1, $2).
const DEFINE = `set -e
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
i=1
while [ "$i" -le "$2" ]; do
  printf "<domain type='qemu'><name>%s-%03d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>\\n" "$1" "$i" >"$d/$i.xml"
  echo "define $d/$i.xml"
  i=$((i + 1))
done | virsh -q -c qemu:///system >/dev/null
virsh -q -c qemu:///system list --all --name | grep -c "^$1-[0-9][0-9][0-9]$"`;

const UNDEFINE = `virsh -q -c qemu:///system list --all --name | grep "^$1-[0-9][0-9][0-9]$" |
  while read -r n; do echo "undefine $n"; done | virsh -q -c qemu:///system >/dev/null
virsh -q -c qemu:///system list --all --name | grep -c "^$1-[0-9][0-9][0-9]$" || true`;

function check(prefix: string, count = 1): void {
  if (!PREFIX.test(prefix)) throw new Error(`not a guest name prefix: ${prefix}`);
  if (!Number.isInteger(count) || count < 1 || count > 999) throw new Error(`bad count ${count}`);
}

/** Defines `count` guests named `<prefix>-NNN`; fails unless all of them are there. */
export async function defineGuests(
  session: SshSession,
  prefix: string,
  count: number,
): Promise<void> {
  check(prefix, count);
  const r = await session.exec(['sh', '-s', '--', prefix, String(count)], {
    stdin: DEFINE,
    timeoutMs: 120_000,
  });
  if (r.code !== 0 || Number(r.stdout.trim()) !== count)
    throw new Error(`defining ${count} guests failed: ${r.stdout.trim()} ${r.stderr.trim()}`);
}

/** Undefines every guest named `<prefix>-NNN` (they are never started). */
export async function undefineGuests(session: SshSession, prefix: string): Promise<void> {
  check(prefix);
  const r = await session.exec(['sh', '-s', '--', prefix], {
    stdin: UNDEFINE,
    timeoutMs: 120_000,
  });
  if (r.code !== 0 || r.stdout.trim() !== '0')
    throw new Error(
      `undefining the ${prefix} guests failed: ${r.stdout.trim()} ${r.stderr.trim()}`,
    );
}
