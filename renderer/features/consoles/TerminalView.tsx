// A terminal through xterm.js: a node's login shell or a VM's serial
// console. The main process opens a one-time tunnel per connection
// (openTerminal) that carries the terminal's bytes; sizes go by resizeTerminal.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { copyText } from './clipboard';

export type TerminalTarget = { kind: 'host'; hostId: string } | { kind: 'serial'; vmId: string };

type Status =
  | { kind: 'connecting' }
  | { kind: 'connected'; command: string }
  | { kind: 'lost'; reason: string };

interface Props {
  target: TerminalTarget;
  /** The accessible name of the terminal, e.g. "Terminal on node1". */
  label: string;
  /** Why the terminal cannot connect now (node down, VM shut off); undefined when it can. */
  unavailable?: string | undefined;
  /** Changes when the far end moved (a migrated VM): the terminal reconnects. */
  where: string;
  /** What ended the session, said in the status line. */
  endedReason: string;
}

const encoder = new TextEncoder();

export function TerminalView({ target, label, unavailable, where, endedReason }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | undefined>(undefined);
  const fitRef = useRef<FitAddon | undefined>(undefined);
  const sendRef = useRef<(data: Uint8Array) => void>(() => undefined);
  const resizeRef = useRef<(cols: number, rows: number) => void>(() => undefined);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [hasSelection, setHasSelection] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [note, setNote] = useState('');
  const targetId = target.kind === 'host' ? `host/${target.hostId}` : `serial/${target.vmId}`;

  const copySelection = () => {
    const text = termRef.current?.getSelection() ?? '';
    if (!text) return;
    void copyText(text).then((ok) =>
      setNote(ok ? 'Copied.' : 'The clipboard refused the copy; select and use Ctrl+Shift+C.'),
    );
  };

  const paste = async () => {
    try {
      const text = await navigator.clipboard.readText();
      termRef.current?.paste(text);
      setNote('');
    } catch {
      setNote('The clipboard cannot be read here; press Ctrl+Shift+V in the terminal.');
    }
    termRef.current?.focus();
  };

  // One xterm for the life of the view; connections come and go under it.
  useEffect(() => {
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      // xterm clips each row to its cell; at line height 1 the cell of DejaVu
      // Sans Mono at 14px is 16px, and its underscore, drawn at the bottom of
      // the descent, falls just below it: underscores were invisible. 1.2
      // gives the descent room (a 19px cell).
      lineHeight: 1.2,
      scrollback: 5000,
      theme: { background: '#0f172a', foreground: '#e2e8f0', cursor: '#e2e8f0' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(hostRef.current!);
    // Ctrl+Shift+C and Ctrl+Shift+V copy and paste, as in desktop
    // terminals; plain Ctrl+C and Ctrl+V stay with the remote program.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === 'KeyC') {
        e.preventDefault();
        const text = term.getSelection();
        if (text) void copyText(text);
        return false;
      }
      // Returning false leaves the browser's own paste to xterm's handler.
      return e.code !== 'KeyV';
    });
    term.onData((d) => sendRef.current(encoder.encode(d)));
    term.onBinary((d) => sendRef.current(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
    term.onResize(({ cols, rows }) => resizeRef.current(cols, rows));
    term.onSelectionChange(() => setHasSelection(term.hasSelection()));
    termRef.current = term;
    fitRef.current = fit;
    const refit = () => {
      // A hidden tab has no size; fitting it would shrink the remote terminal.
      if (hostRef.current && hostRef.current.clientWidth > 0 && hostRef.current.clientHeight > 0)
        fit.fit();
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(hostRef.current!);
    return () => {
      observer.disconnect();
      term.dispose();
      termRef.current = undefined;
    };
  }, []);

  // The connection: reopened on Reconnect and when the far end moves.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    if (unavailable) {
      setStatus({ kind: 'lost', reason: unavailable });
      return;
    }
    let disposed = false;
    let consoleId: string | undefined;
    let ws: WebSocket | undefined;
    setStatus({ kind: 'connecting' });
    api.openTerminal({ ...target, cols: term.cols, rows: term.rows }).then(
      (t) => {
        consoleId = t.consoleId;
        if (disposed) {
          void api.closeConsole({ consoleId: t.consoleId });
          return;
        }
        const socket = new WebSocket(t.url);
        socket.binaryType = 'arraybuffer';
        ws = socket;
        socket.onopen = () => {
          if (disposed) return;
          setStatus({ kind: 'connected', command: t.command });
          sendRef.current = (data) => {
            if (socket.readyState === WebSocket.OPEN) socket.send(data);
          };
          resizeRef.current = (cols, rows) =>
            void api.resizeTerminal({ consoleId: t.consoleId, cols, rows }).catch(() => undefined);
          // The size may have changed while the tunnel opened.
          resizeRef.current(term.cols, term.rows);
          term.focus();
        };
        socket.onmessage = (e: MessageEvent<ArrayBuffer>) => term.write(new Uint8Array(e.data));
        socket.onclose = (e) => {
          sendRef.current = () => undefined;
          resizeRef.current = () => undefined;
          if (disposed) return;
          setStatus({
            kind: 'lost',
            reason: e.code === 1011 && e.reason ? e.reason : endedReason,
          });
        };
      },
      (err: unknown) => !disposed && setStatus({ kind: 'lost', reason: errorMessage(err) }),
    );
    return () => {
      disposed = true;
      sendRef.current = () => undefined;
      resizeRef.current = () => undefined;
      ws?.close();
      if (consoleId) void api.closeConsole({ consoleId }).catch(() => undefined);
    };
    // target is compared by what it names, not by object identity.
  }, [targetId, where, unavailable, attempt]);

  const statusText =
    status.kind === 'connecting'
      ? 'Connecting…'
      : status.kind === 'connected'
        ? `Connected: ${status.command}`
        : `Disconnected: ${status.reason}`;

  return (
    <div className="flex h-full flex-col gap-2">
      <div
        role="toolbar"
        aria-label={`${label} tools`}
        className="flex flex-wrap items-center gap-1"
      >
        <button className={buttonClass} disabled={!hasSelection} onClick={copySelection}>
          Copy
        </button>
        <button
          className={buttonClass}
          disabled={status.kind !== 'connected'}
          onClick={() => void paste()}
        >
          Paste
        </button>
        <button className={buttonClass} onClick={() => termRef.current?.clear()}>
          Clear
        </button>
        <button
          className={buttonClass}
          disabled={!!unavailable || status.kind === 'connecting'}
          onClick={() => setAttempt((a) => a + 1)}
        >
          Reconnect
        </button>
        <span
          role="status"
          aria-label={`${label} status`}
          className={`ml-2 truncate ${status.kind === 'lost' ? 'text-red-700 dark:text-red-400' : 'text-slate-500'}`}
        >
          {statusText}
        </span>
        {note && <span className="ml-2 text-slate-500">{note}</span>}
      </div>
      <div
        ref={hostRef}
        role="group"
        aria-label={label}
        className="min-h-0 flex-1 overflow-hidden rounded bg-slate-900 p-1"
      />
    </div>
  );
}
