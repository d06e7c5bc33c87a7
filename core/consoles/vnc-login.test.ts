import { describe, expect, it } from 'vitest';
import { vncAuthResponse } from './vnc-login';

describe('VNC password login', () => {
  it('answers a challenge as OpenSSL’s DES does with the mirrored key', () => {
    // printf 0123456789abcdef | openssl enc -des-ecb -provider legacy \
    //   -provider default -nopad -K ceccc64ea62e841e   (s3cret!x, bits mirrored)
    const answer = vncAuthResponse(Buffer.from('0123456789abcdef'), 's3cret!x');
    expect(answer.toString('hex')).toBe('b9dfca296e8cab328e8f1fbf9452b5a2');
  });

  it('uses only the first 8 bytes of a longer password, as VNC servers do', () => {
    const challenge = Buffer.from('fedcba9876543210');
    expect(vncAuthResponse(challenge, 's3cret!x-and-more')).toEqual(
      vncAuthResponse(challenge, 's3cret!x'),
    );
    expect(vncAuthResponse(challenge, 'short')).not.toEqual(vncAuthResponse(challenge, 'shorter'));
  });
});
