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
    const script = CERT_FINGERPRINT_ARGV[2];
    expect(CERT_FINGERPRINT_ARGV.slice(0, 2)).toEqual(['sh', '-c']);
    expect(script.indexOf('/etc/pve/local/pveproxy-ssl.pem')).toBeLessThan(
      script.indexOf('/etc/pve/local/pve-ssl.pem'),
    );
    expect(script).toContain('openssl x509 -noout -fingerprint -sha256 -in "$f"');
  });
});
