import { describe, expect, it } from 'vitest';
import { poolSpecSchema } from '../../../shared/storage';
import { buildCephSecretXml, buildPoolXml } from './pool-xml';
import { cephSecretUuid, createPoolSteps } from './storage';

const spec = (v: unknown) => poolSpecSchema.parse(v);

describe('storage pool XML', () => {
  it('builds a directory pool', () => {
    expect(buildPoolXml(spec({ type: 'dir', name: 'images', targetPath: '/srv/images' }))).toBe(
      `<pool type="dir">\n  <name>images</name>\n  <target>\n    <path>/srv/images</path>\n  </target>\n</pool>\n`,
    );
  });

  it('builds an iscsi-direct pool with its initiator, and no target path', () => {
    const xml = buildPoolXml(
      spec({
        type: 'iscsi-direct',
        name: 'san',
        host: '10.0.0.5',
        target: 'iqn.2003-01.org.example:storage',
        initiator: 'iqn.2024-01.org.example:node1',
      }),
    );
    expect(xml).toContain('<host name="10.0.0.5" port="3260"/>');
    expect(xml).toContain('<device path="iqn.2003-01.org.example:storage"/>');
    expect(xml).toContain('<iqn name="iqn.2024-01.org.example:node1"/>');
    expect(xml).not.toContain('<target>');
  });

  it('puts a Ceph key in a secret sent on stdin, never in XML or a command', () => {
    const key = 'QVFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE9PQ==';
    const s = spec({
      type: 'rbd',
      name: 'ceph',
      monitors: [{ host: 'mon1' }],
      cephPool: 'rbd',
      user: 'libvirt',
      key,
    });
    const uuid = cephSecretUuid('ceph');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(cephSecretUuid('ceph')).toBe(uuid); // the same on a re-run
    const pool = buildPoolXml(s, uuid);
    expect(pool).toContain('<auth type="ceph" username="libvirt">');
    expect(pool).toContain(`<secret uuid="${uuid}"/>`);
    expect(pool).toContain('<host name="mon1" port="6789"/>');
    expect(buildCephSecretXml(uuid, 'ceph')).toContain('<usage type="ceph">');
    const steps = createPoolSteps(s);
    for (const st of steps) expect(st.argv.join(' ')).not.toContain(key);
    const set = steps.find((st) => st.argv.includes('secret-set-value'))!;
    expect(set.stdin).toBe(key);
    expect(set.shownInput).not.toContain(key);
  });

  it('refuses names and paths that could change what a command or document means', () => {
    expect(() => spec({ type: 'dir', name: 'a b', targetPath: '/x' })).toThrow();
    expect(() => spec({ type: 'dir', name: 'ok', targetPath: 'relative' })).toThrow();
    expect(() => spec({ type: 'dir', name: 'ok', targetPath: '/a/../etc' })).toThrow();
    expect(() => spec({ type: 'dir', name: 'ok', targetPath: "/a'b" })).toThrow();
    expect(() => spec({ type: 'dir', name: '$(x)', targetPath: '/x' })).toThrow();
  });
});
