// What the scale case runs inside the page (page.evaluate and an init
// script): each function is sent as its source, so it may use nothing from
// this module. Times are the page's wall clock (performance.timeOrigin +
// performance.now()), which the bench compares with its own.

export interface AddHost {
  name: string;
  address: string;
  port: number;
  user: string;
  auth: 'key';
  keyPath: string;
  fingerprint: string;
}

declare global {
  interface Window {
    /** The page's own socket to the backend (its bridge's), kept by wrapPageSocket. */
    __benchApi?: WebSocket;
  }
}

/**
 * Init script: keeps the page's WebSocket to /api where the bench can reach
 * it, so the nodes are added over the page's own connection (a second one
 * would have the backend send every patch twice).
 */
export function wrapPageSocket(): void {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (new URL(String(url)).pathname === '/api') window.__benchApi = this;
    }
  };
}

/**
 * Sends addHost for every node at once on the page's socket (ids the page's
 * bridge never uses, so it ignores the answers), then waits, a frame at a
 * time, until the tree has `vms` VM rows.
 */
export async function addHostsAndWait(a: {
  hosts: AddHost[];
  vms: number;
  timeoutMs: number;
}): Promise<{ sentAt: number; readyAt: number; answeredAt: number }> {
  const now = () => performance.timeOrigin + performance.now();
  // The tree shows before the page's socket has opened.
  const opening = Date.now() + 10_000;
  while (window.__benchApi?.readyState !== WebSocket.OPEN && Date.now() < opening)
    await new Promise((r) => setTimeout(r, 10));
  const ws = window.__benchApi;
  if (!ws || ws.readyState !== WebSocket.OPEN) throw new Error("the page's socket did not open");
  const base = 1_000_000_000;
  const errors: string[] = [];
  let answers = 0;
  let answeredAt = 0;
  const onMessage = (ev: MessageEvent) => {
    const m = JSON.parse(String(ev.data)) as {
      type: string;
      id?: number;
      ok?: boolean;
      error?: { message: string };
    };
    if (m.type !== 'result' || !m.id || m.id < base) return;
    if (!m.ok) errors.push(m.error?.message ?? 'failed');
    if (++answers === a.hosts.length) answeredAt = now();
  };
  ws.addEventListener('message', onMessage);
  a.hosts.forEach((params, i) =>
    ws.send(JSON.stringify({ type: 'call', id: base + i, method: 'addHost', params })),
  );
  const sentAt = now();
  const rows = () => document.querySelectorAll('[role="tree"] [data-key^="vm:"]').length;
  const end = Date.now() + a.timeoutMs;
  const readyAt = await new Promise<number>((resolve, reject) => {
    const tick = () => {
      if (rows() >= a.vms) return resolve(now());
      if (errors.length) return reject(new Error(`addHost failed: ${errors.join('; ')}`));
      if (Date.now() > end) return reject(new Error(`the tree shows ${rows()} of ${a.vms} VMs`));
      requestAnimationFrame(tick);
    };
    tick();
  });
  while (answers < a.hosts.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  ws.removeEventListener('message', onMessage);
  if (errors.length) throw new Error(`addHost failed: ${errors.join('; ')}`);
  return { sentAt, readyAt, answeredAt };
}

/** Waits, a frame at a time, until `count` tree rows have a name matching `pattern`; returns when. */
export async function waitForRows(a: {
  pattern: string;
  count: number;
  timeoutMs: number;
}): Promise<number> {
  const re = new RegExp(a.pattern);
  const end = Date.now() + a.timeoutMs;
  const matching = () =>
    [...document.querySelectorAll('[role="tree"] [role="treeitem"]')].filter((e) =>
      re.test(e.getAttribute('aria-label') ?? ''),
    ).length;
  return new Promise<number>((resolve, reject) => {
    const tick = () => {
      if (matching() >= a.count) return resolve(performance.timeOrigin + performance.now());
      if (Date.now() > end) return reject(new Error(`${matching()} of ${a.count} rows match`));
      requestAnimationFrame(tick);
    };
    tick();
  });
}
