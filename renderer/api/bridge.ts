// The client side of the contract: the Electron preload's window.clusterdeck
// when present, else the browser shell's WebSocket. Params are validated
// with the contract's schemas before they leave the page.
import { methods, type Bridge, type MethodName, type Params, type Result } from '../../shared/api';
import type { ErrorCode } from '../../shared/errors';
import type { Patch } from '../../shared/model';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface PreloadApi {
  call(method: string, params: unknown): Promise<unknown>;
  onPatch(listener: (patches: Patch[]) => void): () => void;
}

function validate<M extends MethodName>(method: M, params: Params<M>): unknown {
  const r = methods[method].params.safeParse(params);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new ApiError('invalid-input', first?.message ?? 'Invalid input.');
  }
  return params;
}

/** Electron's invoke wraps thrown errors; the main process puts the payload in the message as JSON. */
function fromIpcError(err: unknown): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /(\{.*\})\s*$/.exec(msg);
  if (m?.[1]) {
    try {
      const p = JSON.parse(m[1]) as { code: ErrorCode; message: string };
      return new ApiError(p.code, p.message);
    } catch {
      /* not our payload */
    }
  }
  return new ApiError('internal', msg);
}

function preloadBridge(api: PreloadApi): Bridge {
  return {
    async call(method, params) {
      validate(method, params);
      try {
        return (await api.call(method, params)) as never;
      } catch (err) {
        throw fromIpcError(err);
      }
    },
    onPatch: (l) => api.onPatch(l),
  };
}

type ConnectionListener = (connected: boolean) => void;

/** The browser shell's transport, reconnecting with backoff. */
class SocketBridge implements Bridge {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
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
      const msg = JSON.parse(String(ev.data)) as
        | { type: 'patch'; patches: Patch[] }
        | { type: 'result'; id: number; ok: true; result: unknown }
        | { type: 'result'; id: number; ok: false; error: { code: ErrorCode; message: string } };
      if (msg.type === 'patch') {
        for (const l of this.patchListeners) l(msg.patches);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new ApiError(msg.error.code, msg.error.message));
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
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws!.send(JSON.stringify({ type: 'call', id, method, params }));
    });
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
