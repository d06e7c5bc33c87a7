// A VM's screen through noVNC. The main process opens a one-time tunnel per
// connection (openConsole); closing the tab or reconnecting closes it.
import RFB from '@novnc/novnc';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import {
  InlineForm,
  Select,
  TextArea,
  inlineInputClass,
  toolbarSelectClass,
  type Option,
} from '../../ui/forms';
import { XK_ALT_L, XK_CONTROL_L, XK_SHIFT_L, functionKeysym, keystrokesFor } from './keysyms';

/** The toolbar's Ctrl+Alt+F select: its prompt, then F1 to F12. */
const FUNCTION_KEY_OPTIONS: readonly Option[] = [
  { value: '', label: 'Ctrl+Alt+F…' },
  ...Array.from({ length: 12 }, (_, i) => ({
    value: String(i + 1),
    label: `Ctrl+Alt+F${i + 1}`,
  })),
];

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
        <Select
          layout="hidden-label"
          label="Send Ctrl+Alt+F key"
          controlClass={toolbarSelectClass}
          disabled={!connected}
          // Always back on its prompt: choosing a key sends it, nothing is kept.
          value=""
          onChange={(v) => {
            const n = Number(v);
            if (n) sendCombo([XK_CONTROL_L, XK_ALT_L, functionKeysym(n)]);
          }}
          options={FUNCTION_KEY_OPTIONS}
        />
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
        <InlineForm
          className="flex gap-2"
          onSubmit={() => {
            typeText(pasteText);
            setPasteOpen(false);
            setPasteText('');
          }}
        >
          <TextArea
            layout="hidden-label"
            label="Text to type into the console"
            rows={2}
            controlClass={`${inlineInputClass} flex-1 font-mono`}
            value={pasteText}
            onChange={setPasteText}
            placeholder="Typed as keystrokes; a line break presses Enter"
          />
          <button type="submit" className={buttonClass}>
            Type it
          </button>
        </InlineForm>
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
