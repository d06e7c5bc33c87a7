// The Electron transport's call handler, without 'electron' so it is
// unit-tested: a shared/wire.ts request in, a wire response out, errors as
// data (nothing is thrown, so Electron never wraps an error's text).
import type { Backend } from '../../core/backend';
import { answer, failure, requestSchema, type WireResponse } from '../../shared/wire';
import { appPageOrigin } from './app-scheme';

/** Answers one IPC call from the page at senderUrl (undefined: no frame). */
export function answerIpcCall(
  backend: Pick<Backend, 'call'>,
  message: unknown,
  senderUrl: string | undefined,
): Promise<WireResponse> {
  const parsed = requestSchema.safeParse(message);
  if (!parsed.success)
    return Promise.resolve(
      failure(0, { code: 'invalid-input', message: 'Refused a malformed call.' }),
    );
  const request = parsed.data;
  // Only our own page may call the backend.
  const pageOrigin = senderUrl === undefined ? undefined : appPageOrigin(senderUrl);
  if (!pageOrigin) {
    return Promise.resolve(
      failure(request.id, {
        code: 'invalid-input',
        message: 'Refused a call from an unknown page.',
      }),
    );
  }
  // Tunnels and downloads it opens accept this page's exact origin only.
  return answer(request.id, () => backend.call(request.method, request.params, { pageOrigin }));
}
