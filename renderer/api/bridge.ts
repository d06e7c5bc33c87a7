// The client side of the contract: the Electron preload's window.clusterdeck
// when present, else the browser shell's WebSocket. Both carry the messages
// of shared/wire.ts: params are validated with the contract's schemas before
// they leave the page, and every message that arrives is parsed on receipt.
import { methods, type Bridge, type MethodName, type Params, type Result } from '../../shared/api';
import type { ErrorCode } from '../../shared/errors';
import type { Patch } from '../../shared/model';
import {
  backendMessageSchema,
  patchMessageSchema,
  responseSchema,
  type WireRequest,
  type WireResponse,
} from '../../shared/wire';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What shells/electron/preload.ts exposes: wire messages, unparsed. */
export interface PreloadApi {
  call(request: WireRequest): Promise<unknown>;
  onPatch(listener: (message: unknown) => void): () => void;
}

function validate<M extends MethodName>(method: M, params: Params<M>): unknown {
  const r = methods[method].params.safeParse(params);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ApiError('invalid-input', first?.message ?? 'Invalid input.');
  }
  return params;
}

/** A message that is not the wire format: a fault of this build, so it is logged. */
function malformed(what: string, detail: unknown): void {
  console.error(`Clusterdeck: ignored a malformed ${what} from the backend`, detail);
}

/**
 * A response's result, typed by the contract: the backend checked it against
 * the method's result schema (core/contract-checks.ts, in every test run).
 */
function settle<M extends MethodName>(response: WireResponse): Result<M> {
  if (!response.ok) throw new ApiError(response.error.code, response.error.message);
  return response.result as Result<M>;
}

/** Exported for the IPC round-trip test (shells/electron/ipc-answer.test.ts). */
export function preloadBridge(api: PreloadApi): Bridge {
  let nextId = 1;
  return {
    async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      validate(method, params);
      const id = nextId++;
      const answer = responseSchema.safeParse(await api.call({ type: 'call', id, method, params }));
      if (!answer.success || answer.data.id !== id) {
        malformed('answer', answer.error ?? answer.data);
        throw new ApiError('internal', `The backend's answer to ${method} was malformed.`);
      }
      return settle<M>(answer.data);
    },
    onPatch: (listener) =>
      api.onPatch((message) => {
        const parsed = patchMessageSchema.safeParse(message);
        if (parsed.success) listener(parsed.data.patches);
        else malformed('patch', parsed.error);
      }),
  };
}

type ConnectionListener = (connected: boolean) => void;

/** The browser shell's transport, reconnecting with backoff. */
class SocketBridge implements Bridge {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (response: WireResponse) => void; reject: (e: Error) => void }
  >();
  private readonly patchListeners = new Set<(p: Patch[]) => void>();
  readonly connectionListeners = new Set<ConnectionListener>();
  private retry = 0;
  // Calls made while the socket is down wait here until it opens again.
  private ready!: Promise<void>;
  private markReady: (() => void) | undefined;

  constructor(private readonly url: string) {
    this.resetReady();
    this.open();
  }

  private resetReady(): void {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.markReady?.();
      this.markReady = undefined;
      for (const l of this.connectionListeners) l(true);
    };
    ws.onmessage = (ev) => {
      let parsed;
      try {
        parsed = backendMessageSchema.safeParse(JSON.parse(String(ev.data)));
      } catch (err) {
        return malformed('message', err);
      }
      if (!parsed.success) return malformed('message', parsed.error);
      const msg = parsed.data;
      if (msg.type === 'patch') {
        for (const l of this.patchListeners) l(msg.patches);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.resolve(msg);
    };
    ws.onclose = () => {
      for (const p of this.pending.values()) {
        p.reject(
          new ApiError('disconnected', 'The connection to the Clusterdeck backend was lost.'),
        );
      }
      this.pending.clear();
      if (!this.markReady) this.resetReady();
      for (const l of this.connectionListeners) l(false);
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      setTimeout(() => this.open(), delay);
    };
  }

  async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    validate(method, params);
    await this.ready;
    const id = this.nextId++;
    const request: WireRequest = { type: 'call', id, method, params };
    const response = await new Promise<WireResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws!.send(JSON.stringify(request));
    });
    return settle<M>(response);
  }

  onPatch(listener: (p: Patch[]) => void): () => void {
    this.patchListeners.add(listener);
    return () => this.patchListeners.delete(listener);
  }
}

let bridge: Bridge | undefined;
let socket: SocketBridge | undefined;

/**
 * The printed URL's token was spent on this page's load (the shell answered
 * with a cookie); it must not stay in the address bar, history, sync or
 * session restore, nor in the URL a pop-out console copies.
 */
function forgetShellToken(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.href);
}

export function getBridge(): Bridge {
  if (bridge) return bridge;
  const preload = (window as { clusterdeck?: PreloadApi }).clusterdeck;
  if (preload) {
    bridge = preloadBridge(preload);
  } else {
    forgetShellToken();
    // The browser shell knows this browser by the cookie it set on the first load.
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new SocketBridge(`${scheme}://${location.host}/api`);
    bridge = socket;
  }
  return bridge;
}

/** Tells when the browser shell's socket drops and comes back (Electron never drops). */
export function onBackendConnection(listener: ConnectionListener): () => void {
  getBridge();
  if (!socket) {
    listener(true);
    return () => undefined;
  }
  socket.connectionListeners.add(listener);
  return () => socket?.connectionListeners.delete(listener);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
