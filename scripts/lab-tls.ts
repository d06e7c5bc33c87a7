// QEMU's TLS certificates for some lab nodes, installed as an administrator
// would: a lab CA, a server and a client certificate naming the nodes'
// addresses, in each node's own /etc/libvirt/pki-qemu (private to the node;
// /etc/pki is the machine's, shared with other labs), named by
// migrate_tls_x509_cert_dir in the node's qemu.conf. libvirtd reads qemu.conf
// only when it starts, so it restarts (its guests keep running). Used by the
// migration tests and the bench, each passing its own way into the lab.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What this needs of a lab: its nodes (name, address, folder) and a way to run a command in one. */
export interface TlsLab {
  nodes: { name: string; host: string; dir: string }[];
  exec(node: string, argv: string[]): string;
}

const FILES = [
  'ca-cert.pem',
  'server-cert.pem',
  'server-key.pem',
  'client-cert.pem',
  'client-key.pem',
];

function restartLibvirtd(lab: TlsLab, node: string): void {
  lab.exec(node, [
    'sh',
    '-c',
    'p=$(cat /run/libvirtd.pid); kill "$p"; i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done; ' +
      'libvirtd -d; i=0; until virsh -c qemu:///system version >/dev/null 2>&1; do [ $i -ge 150 ] && exit 1; sleep 0.2; i=$((i+1)); done',
  ]);
}

function makeCertificates(lab: TlsLab, dir: string): void {
  const addresses = lab.nodes.map((n) => `IP:${n.host},DNS:${n.name}`);
  writeFileSync(
    join(dir, 'ext.cnf'),
    `[srv]\nsubjectAltName=${addresses.join(',')}\nextendedKeyUsage=serverAuth\n` +
      `[cli]\nextendedKeyUsage=clientAuth\n`,
  );
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca-cert.pem',
    '-subj',
    '/CN=clusterdeck-lab-ca',
    '-days',
    '2',
  );
  for (const [kind, ext] of [
    ['server', 'srv'],
    ['client', 'cli'],
  ] as const) {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${kind}-key.pem`,
      '-out',
      `${kind}.csr`,
      '-subj',
      `/CN=clusterdeck-lab-${kind}`,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${kind}.csr`,
      '-CA',
      'ca-cert.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${kind}-cert.pem`,
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
      '-extensions',
      ext,
    );
  }
}

/** Gives the nodes certificates for `virsh migrate --tls`; returns what takes them away again. */
export function giveTlsCertificates(lab: TlsLab, nodes: string[]): () => void {
  const made = mkdtempSync(join(tmpdir(), 'clusterdeck-lab-tls-'));
  const undo: (() => void)[] = [() => rmSync(made, { recursive: true, force: true })];
  try {
    makeCertificates(lab, made);
    for (const node of nodes) {
      const dir = lab.nodes.find((n) => n.name === node)?.dir;
      if (!dir) throw new Error(`the lab has no node ${node}`);
      const etc = join(dir, 'etc'); // the node's /etc/libvirt
      const conf = join(etc, 'qemu.conf');
      const before = readFileSync(conf, 'utf8');
      const pki = join(etc, 'pki-qemu');
      mkdirSync(pki, { recursive: true });
      for (const f of FILES) {
        copyFileSync(join(made, f), join(pki, f));
        // QEMU runs as libvirt-qemu and reads them itself (a lab's throwaway keys).
        chmodSync(join(pki, f), 0o644);
      }
      writeFileSync(conf, `${before}\nmigrate_tls_x509_cert_dir = "/etc/libvirt/pki-qemu"\n`);
      undo.push(() => {
        writeFileSync(conf, before);
        rmSync(pki, { recursive: true, force: true });
        restartLibvirtd(lab, node);
      });
      restartLibvirtd(lab, node);
    }
  } catch (err) {
    for (const u of undo.reverse()) u();
    throw err;
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}
