// The one message format of both transports: the browser shell's WebSocket
// (shells/browser/browser-shell.ts) and Electron's IPC (shells/electron/
// main.ts, carried verbatim by preload.ts); renderer/api/bridge.ts is the
// other end of both. Each side parses what it receives with these schemas.
// Errors travel as data ({ ok: false, error }), never inside an Error's text.
import { z } from 'zod';
import { errorPayloadSchema, toErrorPayload, type ErrorPayload } from './errors';
import { patchSchema } from './model';

/** A call of one contract method; params are checked by the method's own schema after. */
export const requestSchema = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  method: z.string().max(64),
  params: z.unknown(),
});
export type WireRequest = z.infer<typeof requestSchema>;

/** The answer to the request with the same id; the result is checked by the method's schema. */
export const responseSchema = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    ok: z.literal(false),
    error: errorPayloadSchema,
  }),
]);
export type WireResponse = z.infer<typeof responseSchema>;

/** Inventory changes, pushed as they happen; each entity is checked by its collection's schema. */
export const patchMessageSchema = z.object({
  type: z.literal('patch'),
  patches: z.array(patchSchema),
});
export type PatchMessage = z.infer<typeof patchMessageSchema>;

/** Everything the backend's side sends the page. */
export const backendMessageSchema = z.union([responseSchema, patchMessageSchema]);
export type BackendMessage = z.infer<typeof backendMessageSchema>;

export function failure(id: number, error: ErrorPayload): WireResponse {
  return { type: 'result', id, ok: false, error };
}

/** Runs a call and answers it: the result, or the error as data. */
export async function answer(id: number, run: () => Promise<unknown>): Promise<WireResponse> {
  try {
    return { type: 'result', id, ok: true, result: await run() };
  } catch (err) {
    return failure(id, toErrorPayload(err));
  }
}
