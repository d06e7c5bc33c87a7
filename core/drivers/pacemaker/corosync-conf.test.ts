import { describe, expect, it } from 'vitest';
import {
  corosyncClusterName,
  corosyncConf,
  corosyncConfNodes,
  corosyncSpecProblems,
} from './corosync-conf';

const three = [
  { name: 'hanode1', nodeid: 1, ring0: '10.0.0.1' },
  { name: 'hanode2', nodeid: 2, ring0: '10.0.0.2' },
  { name: 'hanode3', nodeid: 3, ring0: '10.0.0.3' },
];

describe('corosync.conf', () => {
  it('writes the cluster name, knet, crypto, every node and votequorum', () => {
    const text = corosyncConf({ clusterName: 'prod', nodes: three, tokenMs: 5000 });
    expect(text).toContain('  cluster_name: prod\n  transport: knet\n  token: 5000\n');
    expect(text).toContain('crypto_cipher: aes256');
    expect(text).toContain(
      '  node {\n    name: hanode2\n    nodeid: 2\n    ring0_addr: 10.0.0.2\n  }\n',
    );
    expect(text).toContain('quorum {\n  provider: corosync_votequorum\n}');
    expect(text).not.toContain('two_node');
    expect(corosyncConfNodes(text)).toEqual(three.map((n) => ({ name: n.name, ring0: n.ring0 })));
    expect(corosyncClusterName(text)).toBe('prod');
  });

  it('sets two_node for a cluster of two, and no token line by default', () => {
    const text = corosyncConf({ clusterName: 'pair', nodes: three.slice(0, 2) });
    expect(text).toContain('provider: corosync_votequorum\n  two_node: 1\n');
    expect(text).not.toContain('token:');
  });

  it('refuses what would change the file structure or clash', () => {
    expect(corosyncSpecProblems({ clusterName: 'a}b', nodes: three })).toHaveLength(1);
    expect(corosyncSpecProblems({ clusterName: 'x'.repeat(33), nodes: three })).toHaveLength(1);
    expect(
      corosyncSpecProblems({
        clusterName: 'ok',
        nodes: [three[0]!, { name: 'evil\n}', nodeid: 1, ring0: 'node1' }],
      }),
    ).toEqual([
      '"evil\\n}" is not a host name corosync can use.',
      "evil\n}'s ring address node1 is not an IP address.",
      'Two nodes have the nodeid 1.',
    ]);
    expect(() => corosyncConf({ clusterName: 'one', nodes: three.slice(0, 1) })).toThrow(
      /at least two nodes/,
    );
  });

  it('reads the nodes of the Debian package default file', () => {
    const debian = `totem {\n\tversion: 2\n\tcluster_name: debian\n}\nnodelist {\n\tnode {\n\t\t# Hostname of the node\n\t\tname: node1\n\t\tnodeid: 1\n\t\tring0_addr: 127.0.0.1\n\t}\n}\n`;
    expect(corosyncConfNodes(debian)).toEqual([{ name: 'node1', ring0: '127.0.0.1' }]);
    expect(corosyncClusterName(debian)).toBe('debian');
  });
});
