// What an encrypted move needs of the two nodes. TLS: QEMU's certificates in
// the directory libvirt names for migration (qemu.conf's
// migrate_tls_x509_cert_dir, else default_tls_x509_cert_dir, else
// /etc/pki/qemu): the source presents a client certificate, the target a
// server one, both signed by ca-cert.pem. Tunnelled: nothing beyond the trust
// New Cluster set up, but libvirt 9 with QEMU 7 cannot copy disks that way.
import type { Finding } from '../../../shared/cluster';
import type { MigrationTransport, TlsReadiness } from '../../../shared/migration';
import type { Host, Vm } from '../../../shared/model';
import type { SshSession } from '../../ssh/session';

/** A node's quick commands: its session's open shell. */
type NodeRun = Pick<SshSession, 'run'>;

/** Prints the certificate directory, then each of QEMU's certificate files present in it. */
export const TLS_FILES_ARGV: readonly string[] = [
  'sh',
  '-c',
  'f=/etc/libvirt/qemu.conf; ' +
    'val() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\\"\\([^\\"]*\\)\\".*/\\1/p" "$f" 2>/dev/null | tail -n 1; }; ' +
    'd=$(val migrate_tls_x509_cert_dir); [ -n "$d" ] || d=$(val default_tls_x509_cert_dir); [ -n "$d" ] || d=/etc/pki/qemu; ' +
    'printf "%s\\n" "$d"; for x in ca-cert.pem server-cert.pem server-key.pem client-cert.pem client-key.pem; do [ -e "$d/$x" ] && printf "%s\\n" "$x"; done; exit 0',
  'clusterdeck-tls-files',
];

const SOURCE_NEEDS = ['ca-cert.pem', 'client-cert.pem', 'client-key.pem'];
const TARGET_NEEDS = ['ca-cert.pem', 'server-cert.pem', 'server-key.pem'];

export interface TlsFiles {
  dir: string;
  present: string[];
}

export function parseTlsFiles(stdout: string): TlsFiles {
  const [dir = '/etc/pki/qemu', ...present] = stdout.split('\n').filter(Boolean);
  return { dir, present };
}

/** Whether the source (client) and the target (server) hold what `--tls` needs. */
export function tlsReadiness(
  source: { name: string; files: TlsFiles },
  target: { name: string; files: TlsFiles },
): TlsReadiness {
  const missing = [
    { node: source, needs: SOURCE_NEEDS },
    { node: target, needs: TARGET_NEEDS },
  ]
    .map(({ node, needs }) => ({
      node,
      lack: needs.filter((f) => !node.files.present.includes(f)),
    }))
    .filter((m) => m.lack.length);
  if (!missing.length) return { ready: true };
  return {
    ready: false,
    reason: missing
      .map(
        (m) =>
          `${m.node.name} has no ${m.lack.join(', ')} in ${m.node.files.dir}` +
          (m.node === source ? ' (it sends as the client)' : ' (it receives as the server)'),
      )
      .join('; '),
  };
}

export async function readTlsFiles(conn: NodeRun): Promise<TlsFiles> {
  const r = await conn.run([...TLS_FILES_ARGV], { timeoutMs: 15_000 });
  return parseTlsFiles(r.code === 0 ? r.stdout : '');
}

/** Asks both nodes for their certificate files. */
export async function checkTls(
  source: { name: string; conn: NodeRun },
  target: { name: string; conn: NodeRun },
): Promise<TlsReadiness> {
  const [s, t] = await Promise.all([readTlsFiles(source.conn), readTlsFiles(target.conn)]);
  return tlsReadiness({ name: source.name, files: s }, { name: target.name, files: t });
}

/** How the VM's memory (and disks) would travel, and whether the nodes allow it. */
export async function transportFinding(
  nodes: { source: NodeRun; target: NodeRun },
  vm: Vm,
  source: Host,
  target: Host,
  transport: MigrationTransport,
  copy: boolean,
): Promise<Finding> {
  const check = `${vm.name}: transport`;
  if (transport === 'plain')
    return {
      check,
      level: 'ok',
      detail: `Plain: ${vm.name}’s memory${copy ? ' and disks' : ''} go to ${target.name} unencrypted over tcp:// (the fastest; for a network you trust).`,
    };
  if (transport === 'tunnelled') {
    if (copy)
      return {
        check,
        level: 'problem',
        detail: `${vm.name}’s disks must be copied, and libvirt cannot copy disks through a tunnelled migration (libvirt 9 with QEMU 7 refuses: “migration of non-shared storage is not supported with tunnelled migration”).`,
        fix: 'Choose “Encrypted with TLS” (needs certificates on both nodes) or “Plain”, or put the disks on storage both nodes share.',
      };
    return {
      check,
      level: 'ok',
      detail: `Encrypted: ${source.name}’s libvirtd carries ${vm.name}’s memory through its own SSH connection to ${target.name} (--p2p --tunnelled; slower than plain).`,
    };
  }
  const tls = await checkTls(
    { name: source.name, conn: nodes.source },
    { name: target.name, conn: nodes.target },
  );
  return tls.ready
    ? {
        check,
        level: 'ok',
        detail: `Encrypted: QEMU sends ${vm.name}’s memory${copy ? ' and disks' : ''} to ${target.name} over TLS (--tls) with the nodes’ certificates.`,
      }
    : {
        check,
        level: 'problem',
        detail: `TLS migration needs QEMU’s certificates: ${tls.reason}.`,
        fix: 'Install them (libvirt’s migrate_tls_x509_cert_dir, /etc/pki/qemu by default), or choose “Encrypted through SSH”.',
      };
}
