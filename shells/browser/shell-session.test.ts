import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cookieValue, ShellSession } from './shell-session';

const req = (method: string, cookie?: string) =>
  ({ method, headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;
const at = (path: string) => new URL(path, 'http://127.0.0.1:4000');

describe('the browser shell session', () => {
  it('reads one cookie among others, by exact name', () => {
    expect(cookieValue('a=1; clusterdeck-4000=s3cret; b=2', 'clusterdeck-4000')).toBe('s3cret');
    expect(cookieValue('xclusterdeck-4000=no', 'clusterdeck-4000')).toBeUndefined();
    expect(cookieValue(undefined, 'clusterdeck-4000')).toBeUndefined();
    expect(cookieValue('=; ;;', 'clusterdeck-4000')).toBeUndefined();
  });

  it('trades the printed token once, on a GET, for a cookie that then admits', () => {
    const s = new ShellSession(() => 4000);
    const url = at(`/?token=${s.printedToken}`);
    expect(s.admitPage(req('HEAD'), url)).toBeUndefined();
    expect(s.admitPage(req('GET'), at('/?token=wrong'))).toBeUndefined();
    const first = s.admitPage(req('GET'), url);
    expect(first?.setCookie).toMatch(
      /^clusterdeck-4000=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(s.admitPage(req('GET'), url)).toBeUndefined(); // works once
    const cookie = first!.setCookie!.split(';')[0]!;
    expect(first!.setCookie).not.toContain(s.printedToken);
    expect(s.admitPage(req('GET', cookie), at('/'))).toEqual({});
    expect(s.hasCookie(req('GET', cookie))).toBe(true);
    expect(s.hasCookie(req('GET', `clusterdeck-4000=${'x'.repeat(43)}`))).toBe(false);
    expect(s.hasCookie(req('GET', cookie.replace('4000', '4001')))).toBe(false);
  });
});
