import { describe, expect, it } from 'vitest';
import { parseTlsFiles, tlsReadiness } from './migration-transport';

describe('TLS migration readiness', () => {
  it('needs a client certificate on the source and a server one on the target', () => {
    const all = parseTlsFiles(
      '/etc/pki/qemu\nca-cert.pem\nserver-cert.pem\nserver-key.pem\nclient-cert.pem\nclient-key.pem\n',
    );
    expect(all.dir).toBe('/etc/pki/qemu');
    expect(tlsReadiness({ name: 'a', files: all }, { name: 'b', files: all })).toEqual({
      ready: true,
    });
    const serverOnly = parseTlsFiles('/srv/tls\nca-cert.pem\nserver-cert.pem\nserver-key.pem\n');
    expect(tlsReadiness({ name: 'a', files: serverOnly }, { name: 'b', files: all })).toEqual({
      ready: false,
      reason: 'a has no client-cert.pem, client-key.pem in /srv/tls (it sends as the client)',
    });
  });

  it('takes libvirt’s default directory when the node said nothing', () => {
    expect(parseTlsFiles('')).toEqual({ dir: '/etc/pki/qemu', present: [] });
  });
});
