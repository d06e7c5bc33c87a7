// A VM's screen through noVNC. The main process opens a one-time tunnel per
// connection (openConsole); closing the tab or reconnecting closes it.
import RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { XK_ALT_L, XK_CONTROL_L, XK_SHIFT_L, functionKeysym, keystrokesFor } from './keysyms';

type Status = { kind: 'connecting' } | { kind: 'connected' } | { kind: 'lost'; reason: string };

/** Opens the VM's console in a window of its own (same page, console only). */
function popOut(uuid: string): void {
  const url = new URL(location.href);
  url.searchParams.set('console', uuid);
  window.open(url.toString(), `console-${uuid}`, 'popup,width=1100,height=800');
}

export function ConsoleView({ vm, popped = false }: { vm: Vm; popped?: boolean }) {
  const screenRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | undefined>(undefined);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });
  const [scale, setScale] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [pasteOpen, setPasteOpen] = useState(false);
  const [pasteText, setPasteText] = useState('');
  const running = vm.state === 'running' || vm.state === 'paused';
  // A migration changes the VM's node; the console follows it there.
  const where = `${vm.hostId}/${vm.state}`;

  useEffect(() => {
    if (!running) {
      setStatus({ kind: 'lost', reason: `${vm.name} is not running.` });
      return;
    }
    let disposed = false;
    let consoleId: string | undefined;
    setStatus({ kind: 'connecting' });
    api.openConsole({ vmId: vm.id }).then(
      (c) => {
        consoleId = c.consoleId;
        if (disposed || !screenRef.current) {
          void api.closeConsole({ consoleId: c.consoleId });
          return;
        }
        const rfb = new RFB(screenRef.current, c.url, { wsProtocols: ['binary'] });
        rfb.scaleViewport = scale;
        rfb.background = 'rgb(15, 23, 42)';
        rfb.addEventListener('connect', () => !disposed && setStatus({ kind: 'connected' }));
        rfb.addEventListener('disconnect', (e) => {
          if (disposed) return;
          const clean = (e as CustomEvent<{ clean: boolean }>).detail?.clean;
          setStatus({
            kind: 'lost',
            reason: clean ? 'The console was closed.' : 'The connection to the display was lost.',
          });
        });
        rfb.addEventListener('securityfailure', (e) => {
          const reason = (e as CustomEvent<{ reason?: string }>).detail?.reason;
          setStatus({
            kind: 'lost',
            reason: `The display refused the login${reason ? `: ${reason}` : ''}.`,
          });
        });
        rfbRef.current = rfb;
      },
      (err: unknown) => !disposed && setStatus({ kind: 'lost', reason: errorMessage(err) }),
    );
    return () => {
      disposed = true;
      rfbRef.current?.disconnect();
      rfbRef.current = undefined;
      if (consoleId) void api.closeConsole({ consoleId }).catch(() => undefined);
    };
  }, [vm.id, where, running, attempt]);

  useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
  }, [scale]);

  const sendCombo = useCallback((keysyms: number[]) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const k of keysyms) rfb.sendKey(k, null, true);
    for (const k of [...keysyms].reverse()) rfb.sendKey(k, null, false);
    rfb.focus();
  }, []);

  const typeText = (text: string) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const [k, shift] of keystrokesFor(text)) {
      if (shift) rfb.sendKey(XK_SHIFT_L, 'ShiftLeft', true);
      rfb.sendKey(k, null);
      if (shift) rfb.sendKey(XK_SHIFT_L, 'ShiftLeft', false);
    }
    rfb.focus();
  };

  const screenshot = () => {
    const url = rfbRef.current?.toDataURL('image/png');
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = `${vm.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
    a.click();
  };

  const connected = status.kind === 'connected';
  const statusText =
    status.kind === 'connecting'
      ? 'Connecting…'
      : status.kind === 'connected'
        ? 'Connected'
        : `Lost: ${status.reason}`;

  return (
    <div ref={frameRef} className="flex h-full flex-col gap-2 bg-white dark:bg-slate-900">
      <div role="toolbar" aria-label="Console" className="flex flex-wrap items-center gap-1">
        <button
          className={buttonClass}
          disabled={!connected}
          onClick={() => rfbRef.current?.sendCtrlAltDel()}
        >
          Ctrl+Alt+Del
        </button>
        <label className="sr-only" htmlFor="fkey">
          Send Ctrl+Alt+F key
        </label>
        <select
          id="fkey"
          className="rounded border border-slate-300 bg-transparent px-1 py-1 dark:border-slate-500"
          disabled={!connected}
          value=""
          onChange={(e) => {
            const n = Number(e.target.value);
            if (n) sendCombo([XK_CONTROL_L, XK_ALT_L, functionKeysym(n)]);
          }}
        >
          <option value="">Ctrl+Alt+F…</option>
          {Array.from({ length: 12 }, (_, i) => (
            <option key={i} value={i + 1}>
              Ctrl+Alt+F{i + 1}
            </option>
          ))}
        </select>
        <button
          className={buttonClass}
          disabled={!connected}
          onClick={() => {
            // The box opens with the clipboard's text when the page may read
            // it, so the user sees what will be typed into the guest first.
            if (!pasteOpen)
              navigator.clipboard
                ?.readText()
                .then((t) => setPasteText((cur) => cur || t))
                .catch(() => undefined);
            setPasteOpen(!pasteOpen);
          }}
          aria-expanded={pasteOpen}
        >
          Paste text
        </button>
        <button className={buttonClass} aria-pressed={scale} onClick={() => setScale(!scale)}>
          {scale ? 'Actual size' : 'Scale to fit'}
        </button>
        {!popped && (
          <button className={buttonClass} onClick={() => popOut(vm.uuid)}>
            Pop out
          </button>
        )}
        <button
          className={buttonClass}
          disabled={!connected}
          onClick={() => void frameRef.current?.requestFullscreen()}
        >
          Fullscreen
        </button>
        <button className={buttonClass} disabled={!connected} onClick={screenshot}>
          Screenshot
        </button>
        <button
          className={buttonClass}
          disabled={!running}
          onClick={() => setAttempt((a) => a + 1)}
        >
          Reconnect
        </button>
        <span
          role="status"
          aria-label="Console status"
          className={`ml-2 ${status.kind === 'lost' ? 'text-red-700 dark:text-red-400' : 'text-slate-500'}`}
        >
          {statusText}
        </span>
      </div>
      {pasteOpen && (
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            typeText(pasteText);
            setPasteOpen(false);
            setPasteText('');
          }}
        >
          <label className="sr-only" htmlFor="paste">
            Text to type into the console
          </label>
          <textarea
            id="paste"
            rows={2}
            className="flex-1 rounded border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-500 dark:bg-slate-900"
            value={pasteText}
            onChange={(e) => setPasteText(e.target.value)}
            placeholder="Typed as keystrokes; a line break presses Enter"
          />
          <button type="submit" className={buttonClass}>
            Type it
          </button>
        </form>
      )}
      <div
        ref={screenRef}
        role="application"
        aria-label={`Console of ${vm.name}`}
        className="min-h-0 flex-1 overflow-hidden rounded bg-slate-900"
      />
    </div>
  );
}
