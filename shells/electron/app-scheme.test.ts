import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_ORIGIN, appFilePath, appPageOrigin } from './app-scheme';

describe('the exact origin of the desktop app pages', () => {
  it('is app://clusterdeck for the main window and pop-out consoles', () => {
    expect(APP_ORIGIN).toBe('app://clusterdeck');
    expect(appPageOrigin(APP_INDEX_URL)).toBe('app://clusterdeck');
    expect(appPageOrigin('app://clusterdeck/index.html?console=4f1c')).toBe('app://clusterdeck');
    expect(appPageOrigin('app://clusterdeck/index.html#top')).toBe('app://clusterdeck');
  });

  it('is nothing for any other page', () => {
    for (const url of [
      'file:///opt/clusterdeck/renderer/index.html',
      'app://clusterdeck.evil/index.html',
      'app://evil/index.html',
      'app://clusterdeck:8080/index.html',
      'app://user@clusterdeck/index.html',
      'app://clusterdeck/other.html',
      'http://clusterdeck/index.html',
      'https://127.0.0.1/index.html',
      'null',
      '',
    ]) {
      expect(appPageOrigin(url), url).toBeUndefined();
    }
  });
});

describe('files the app:// scheme serves', () => {
  const root = '/opt/clusterdeck/renderer';

  it('maps paths under the renderer folder', () => {
    expect(appFilePath(root, 'app://clusterdeck/')).toBe(join(root, 'index.html'));
    expect(appFilePath(root, 'app://clusterdeck/index.html?console=1')).toBe(
      join(root, 'index.html'),
    );
    expect(appFilePath(root, 'app://clusterdeck/assets/main%20x.js')).toBe(
      join(root, 'assets', 'main x.js'),
    );
    // The URL parser resolves dot segments first: this stays inside the folder.
    expect(appFilePath(root, 'app://clusterdeck/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(appFilePath(root, 'app://clusterdeck/%2e%2e/%2e%2e/etc/passwd')).toBe(
      join(root, 'etc/passwd'),
    );
  });

  it('refuses another host, escapes from the folder and malformed paths', () => {
    for (const url of [
      'app://other/index.html',
      'app://clusterdeck/..%2f..%2fetc%2fpasswd',
      'app://clusterdeck/%',
      'app://clusterdeck/%E0%A4%A',
      'app://clusterdeck/a%00b',
      'not a url',
    ]) {
      expect(appFilePath(root, url), url).toBeUndefined();
    }
  });
});
