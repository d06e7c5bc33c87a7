import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CERT_FINGERPRINT_ARGV, normalizeFingerprint, parseCertFingerprint } from './certificate';

const FP =
  'A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:01:12:23:34:45:56:67:78:89:9A:AB:BC:CD:DE:EF:F0';

describe('the node’s certificate fingerprint', () => {
  it('reads OpenSSL 3 and 1.1 output alike', () => {
    expect(parseCertFingerprint(`sha256 Fingerprint=${FP}\n`)).toBe(FP);
    expect(parseCertFingerprint(`SHA256 Fingerprint=${FP.toLowerCase()}\n`)).toBe(FP);
  });

  it('refuses an answer without a SHA-256 fingerprint', () => {
    expect(() =>
      parseCertFingerprint('Could not open file or uri for loading certificate\n'),
    ).toThrow(/No SHA-256 fingerprint/);
    expect(() => parseCertFingerprint('sha1 Fingerprint=AB:CD\n')).toThrow(/No SHA-256/);
    expect(() => parseCertFingerprint('sha256 Fingerprint=AB:CD\n')).toThrow(/Not a SHA-256/);
  });

  it('spells a fingerprint one way whatever its source', () => {
    expect(normalizeFingerprint(FP.replace(/:/g, '').toLowerCase())).toBe(FP);
  });

  it('reads pveproxy’s own certificate when one is installed, else the cluster-signed one', () => {
    // The script run for real, with /etc/pve/local moved to a temporary folder.
    const dir = mkdtempSync(join(tmpdir(), 'pve-cert-test-'));
    try {
      const cert = (name: string) => {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '1',
            '-subj',
            `/CN=${name}`,
            '-keyout',
            join(dir, `${name}.key`),
            '-out',
            join(dir, name),
          ],
          { stdio: 'ignore' },
        );
        return parseCertFingerprint(
          execFileSync('openssl', [
            'x509',
            '-noout',
            '-fingerprint',
            '-sha256',
            '-in',
            join(dir, name),
          ]).toString(),
        );
      };
      const [sh, c, script] = CERT_FINGERPRINT_ARGV;
      expect([sh, c]).toEqual(['sh', '-c']);
      const run = () =>
        parseCertFingerprint(
          execFileSync(sh, [c, script.split('/etc/pve/local').join(dir)]).toString(),
        );
      const clusterSigned = cert('pve-ssl.pem');
      expect(run()).toBe(clusterSigned);
      const custom = cert('pveproxy-ssl.pem');
      expect(custom).not.toBe(clusterSigned);
      expect(run()).toBe(custom);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
