// Errors that cross the process boundary, as data (shared/wire.ts carries
// the payload). The message is always a sentence for the user: which node,
// which command, what to do next.
import { z } from 'zod';

export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'unreachable',
  'auth-failed',
  'host-key-changed',
  'host-key-revoked',
  'host-key-mismatch',
  'command-failed',
  'timeout',
  'cancelled',
  'unsupported',
  'invalid-state',
  'disconnected',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
});
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

export class ClusterdeckError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ClusterdeckError';
    this.code = code;
  }
  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof ClusterdeckError) return err.toPayload();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}
