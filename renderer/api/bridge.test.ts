// The page's side of the Electron transport: it sends wire requests, reads
// wire responses (errors as data, with their code) and parses patches on
// receipt. The preload here answers as shells/electron/ipc-answer.ts does.
import { describe, expect, it, vi } from 'vitest';
import type { WireRequest, WireResponse } from '../../shared/wire';
import { ApiError, preloadBridge, type PreloadApi } from './bridge';

function preload(answer: (r: WireRequest) => unknown): PreloadApi & { sent: WireRequest[] } {
  const sent: WireRequest[] = [];
  return {
    sent,
    call: async (request) => {
      sent.push(request);
      return structuredClone(answer(request));
    },
    onPatch: () => () => undefined,
  };
}

describe('the page side of IPC', () => {
  it('sends a wire request and returns the result', async () => {
    const api = preload((r): WireResponse => ({
      type: 'result',
      id: r.id,
      ok: true,
      result: { nativeFilePicker: true },
    }));
    await expect(preloadBridge(api).call('appInfo', {})).resolves.toEqual({
      nativeFilePicker: true,
    });
    expect(api.sent).toEqual([{ type: 'call', id: 1, method: 'appInfo', params: {} }]);
  });

  it('turns an error response into an ApiError with its code and sentence', async () => {
    const api = preload((r): WireResponse => ({
      type: 'result',
      id: r.id,
      ok: false,
      error: { code: 'not-found', message: 'That host is no longer in Clusterdeck.' },
    }));
    const err = await preloadBridge(api)
      .call('reconnectHost', { hostId: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      code: 'not-found',
      message: 'That host is no longer in Clusterdeck.',
    });
  });

  it('refuses params before they leave, and a malformed answer after', async () => {
    const api = preload(() => ({ ok: 'yes' }));
    const bridge = preloadBridge(api);
    await expect(bridge.call('reconnectHost', { hostId: '' })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(api.sent).toEqual([]);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(bridge.call('appInfo', {})).rejects.toMatchObject({
      code: 'internal',
      message: "The backend's answer to appInfo was malformed.",
    });
  });

  it('passes on patches that match the contract and drops others', () => {
    let deliver: (m: unknown) => void = () => undefined;
    const api: PreloadApi = {
      call: async () => undefined,
      onPatch: (l) => ((deliver = l), () => undefined),
    };
    const seen: unknown[] = [];
    preloadBridge(api).onPatch((p) => seen.push(p));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const del = { op: 'del', collection: 'vms', id: 'v1' };
    deliver({ type: 'patch', patches: [del] });
    deliver({ type: 'patch', patches: [{ op: 'put', collection: 'vms', id: 'v1', value: {} }] });
    deliver({ type: 'patch', patches: [{ op: 'drop', collection: 'vms', id: 'v1' }] });
    expect(seen).toEqual([[del]]);
  });
});
