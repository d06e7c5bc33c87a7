// The Electron transport's main side, with a real backend: answers are wire
// responses whatever happens, errors travel as data with their code.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { SecretBox } from '../../core/store/secrets';
import { responseSchema } from '../../shared/wire';
import { APP_INDEX_URL } from './app-scheme';
import { answerIpcCall } from './ipc-answer';

const box: SecretBox = {
  canPersist: false,
  whyNot: 'No keyring.',
  isWeaklySealed: () => false,
  encrypt: () => {
    throw new Error('not here');
  },
  decrypt: () => {
    throw new Error('not here');
  },
};

let backend: Backend;
beforeAll(async () => {
  backend = await Backend.start({
    dataDir: mkdtempSync(join(tmpdir(), 'ipc-answer-')),
    secretBox: box,
    userKnownHosts: '/nonexistent',
    sshConfig: '/nonexistent',
  });
});
afterAll(() => backend.close());

/** As Electron delivers it: structured-cloned, then read by the page's wire schema. */
async function ask(message: unknown, sender: { url?: string } = { url: APP_INDEX_URL }) {
  return responseSchema.parse(structuredClone(await answerIpcCall(backend, message, sender.url)));
}

describe('IPC answers', () => {
  it('carry the result of a call from our own page', async () => {
    expect(await ask({ type: 'call', id: 3, method: 'appInfo', params: {} })).toEqual({
      type: 'result',
      id: 3,
      ok: true,
      result: { nativeFilePicker: false },
    });
  });

  it('carry a refusal as data: code and sentence, no JSON in a message', async () => {
    const r = await ask({ type: 'call', id: 4, method: 'reconnectHost', params: { hostId: 'x' } });
    expect(r).toEqual({
      type: 'result',
      id: 4,
      ok: false,
      error: { code: 'not-found', message: 'That host is no longer in Clusterdeck.' },
    });
    const bad = await ask({ type: 'call', id: 5, method: 'vmAction', params: { vmId: 1 } });
    expect(bad).toMatchObject({ id: 5, ok: false, error: { code: 'invalid-input' } });
  });

  it('refuse another page and a malformed call', async () => {
    const call = { type: 'call', id: 6, method: 'appInfo', params: {} };
    for (const url of ['https://evil.example/index.html', 'file:///index.html', undefined]) {
      expect(await ask(call, { url })).toMatchObject({
        id: 6,
        ok: false,
        error: { code: 'invalid-input', message: 'Refused a call from an unknown page.' },
      });
    }
    for (const message of [null, 'appInfo', { id: 1, method: 'appInfo' }, { ...call, id: '6' }]) {
      expect(await ask(message)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    }
  });
});
