import { describe, expect, it } from 'vitest';
import { parseTokenAdd, tokenAddArgv, tokenDeleteArgv, tokenExists, tokenName } from './token';

// Shaped as the API schema of POST /access/users/{userid}/token/{tokenid}
// returns it (full-tokenid, info, value), which `--output-format json` prints.
const SAMPLE =
  '{"full-tokenid":"root@pam!clusterdeck-4f9a2c","info":{"privsep":"0","comment":"Clusterdeck desktop app"},"value":"d3b07384-d9a0-4c9b-8f3e-1c2d3e4f5a6b"}\n';

describe('Clusterdeck’s API token', () => {
  it('is named per installation, within Proxmox’s pattern', () => {
    expect(tokenName('4f9a2c')).toBe('clusterdeck-4f9a2c');
    expect(() => tokenName('a b')).toThrow();
    expect(() => tokenName('x!y')).toThrow();
    expect(() => tokenName('')).toThrow();
  });

  it('is made by pveum for root@pam without privilege separation, as JSON', () => {
    expect(tokenAddArgv('clusterdeck-4f9a2c')).toEqual([
      'pveum',
      'user',
      'token',
      'add',
      'root@pam',
      'clusterdeck-4f9a2c',
      '--privsep',
      '0',
      '--comment',
      'Clusterdeck desktop app',
      '--output-format',
      'json',
    ]);
    expect(tokenDeleteArgv('clusterdeck-4f9a2c')).toEqual([
      'pveum',
      'user',
      'token',
      'delete',
      'root@pam',
      'clusterdeck-4f9a2c',
    ]);
    expect(() => tokenAddArgv('--privsep')).toThrow();
  });

  it('reads the token id and secret from pveum’s JSON', () => {
    expect(parseTokenAdd(SAMPLE, 'clusterdeck-4f9a2c')).toEqual({
      tokenId: 'root@pam!clusterdeck-4f9a2c',
      secret: 'd3b07384-d9a0-4c9b-8f3e-1c2d3e4f5a6b',
    });
  });

  it('refuses an answer for another token or without a secret, never echoing it', () => {
    expect(() => parseTokenAdd(SAMPLE, 'clusterdeck-other')).toThrow(
      /root@pam!clusterdeck-4f9a2c, not root@pam!clusterdeck-other/,
    );
    expect(() =>
      parseTokenAdd('{"full-tokenid":"root@pam!clusterdeck-x"}', 'clusterdeck-x'),
    ).toThrow(/no full-tokenid or value/);
    const notJson = 'value: d3b07384-d9a0-4c9b-8f3e-1c2d3e4f5a6b';
    expect(() => parseTokenAdd(notJson, 'clusterdeck-x')).toThrow(/no JSON/);
    try {
      parseTokenAdd(notJson, 'clusterdeck-x');
    } catch (err) {
      expect((err as Error).message).not.toContain('d3b07384');
    }
  });

  it('tells an existing token apart from other failures', () => {
    expect(tokenExists('Token already exists.\n')).toBe(true);
    expect(tokenExists('no such user (root@pam)\n')).toBe(false);
  });
});
