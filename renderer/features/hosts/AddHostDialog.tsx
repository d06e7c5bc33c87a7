// Add Host: the node's host key is fetched and shown before any credential
// leaves this dialog; the password lives only in this component's state and
// is sent once, with addHost.
import { useEffect, useId, useState } from 'react';
import { addHostSchema, type HostKeyProbe, type SshAlias } from '../../../shared/api';
import type { AuthMethod } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Checkbox, Select, TextField } from '../../ui/forms';

/** The form's free-text fields (the others are a choice and a checkbox). */
type TextKey = Exclude<keyof Fields, 'auth' | 'remember'>;

interface Fields {
  address: string;
  port: string;
  user: string;
  name: string;
  auth: AuthMethod;
  keyPath: string;
  password: string;
  remember: boolean;
  /** ProxyJump of the chosen ~/.ssh/config alias; empty to connect directly. */
  proxyJump: string;
}

const AUTH_METHODS: { value: AuthMethod; label: string }[] = [
  { value: 'key', label: 'Private key file' },
  { value: 'agent', label: 'SSH agent' },
  { value: 'password', label: 'Password' },
];

const EMPTY: Fields = {
  address: '',
  port: '22',
  user: 'root',
  name: '',
  auth: 'key',
  keyPath: '~/.ssh/id_ed25519',
  password: '',
  remember: false,
  proxyJump: '',
};

type Step =
  | { kind: 'form' }
  | { kind: 'probing' }
  | { kind: 'verify'; probe: HostKeyProbe }
  | { kind: 'changed'; probe: HostKeyProbe }
  | { kind: 'connecting' };

/**
 * Remember keeps the secret sent with addHost, encrypted: the login password,
 * or a key's passphrase. It is offered only where there is one to keep, so a
 * key without a passphrase (or the agent) shows no such choice.
 */
function remembers(f: Fields): boolean {
  return f.auth === 'password' || (f.auth === 'key' && f.password !== '');
}

function toInput(f: Fields, fingerprint: string) {
  return {
    address: f.address.trim(),
    port: Number(f.port),
    user: f.user.trim(),
    auth: f.auth,
    fingerprint,
    remember: f.remember && remembers(f),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(f.proxyJump.trim() ? { proxyJump: f.proxyJump.trim() } : {}),
    ...(f.auth === 'key' ? { keyPath: f.keyPath.trim() } : {}),
    ...(f.auth !== 'agent' && f.password ? { password: f.password } : {}),
  };
}

/** Field errors from the contract's own schema (the fingerprint is not the user's to type). */
function fieldErrors(f: Fields): Partial<Record<keyof Fields, string>> {
  const r = addHostSchema.safeParse(toInput(f, 'SHA256:placeholder'));
  const out: Partial<Record<keyof Fields, string>> = {};
  if (r.success) return out;
  for (const issue of r.error.issues) {
    const key = issue.path[0] as keyof Fields | undefined;
    if (key && key in f && !out[key]) out[key] = issue.message;
  }
  return out;
}

export function AddHostDialog() {
  const close = () => useUi.getState().setAddHostOpen(false);
  const select = useUi((s) => s.select);
  const [f, setF] = useState<Fields>(EMPTY);
  const [touched, setTouched] = useState<Partial<Record<keyof Fields, boolean>>>({});
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [error, setError] = useState<string>();
  const [aliases, setAliases] = useState<SshAlias[]>([]);
  // Whether a password can be kept encrypted here; unknown until asked.
  const [rememberable, setRememberable] = useState<{ available: boolean; reason?: string }>();
  const ids = { aliases: useId(), rememberWhy: useId() };

  useEffect(() => {
    api.sshAliases({}).then(setAliases, () => setAliases([]));
    api.appStatus({}).then(
      (s) => setRememberable(s.rememberPasswords),
      () => setRememberable(undefined),
    );
  }, []);

  const errors = fieldErrors(f);
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => {
    setF((prev) => {
      const next = { ...prev, [k]: v };
      // Choosing a ~/.ssh/config alias fills in what the alias says.
      const alias = k === 'address' ? aliases.find((a) => a.alias === v) : undefined;
      if (alias) {
        next.port = String(alias.port);
        if (alias.user) next.user = alias.user;
        if (alias.identityFile) {
          next.auth = 'key';
          next.keyPath = alias.identityFile;
        }
        if (!next.name) next.name = alias.alias;
        next.proxyJump = alias.proxyJump ?? '';
        next.address = alias.hostName;
      }
      return next;
    });
  };
  const blur = (k: keyof Fields) => setTouched((t) => ({ ...t, [k]: true }));
  const shown = (k: keyof Fields) => (touched[k] ? errors[k] : undefined);

  const connect = async (probe: HostKeyProbe) => {
    setStep({ kind: 'connecting' });
    setError(undefined);
    try {
      const { hostId } = await api.addHost(toInput(f, probe.fingerprint));
      select({ kind: 'host', id: hostId });
      close();
    } catch (err) {
      setError(errorMessage(err));
      setStep({ kind: 'form' });
    }
  };

  const probe = async () => {
    setTouched({ address: true, port: true, user: true, keyPath: true, password: true });
    if (Object.keys(errors).length > 0) return;
    setStep({ kind: 'probing' });
    setError(undefined);
    try {
      const p = await api.probeHost({
        address: f.address.trim(),
        port: Number(f.port),
        ...(f.proxyJump.trim() ? { proxyJump: f.proxyJump.trim() } : {}),
      });
      if (p.status === 'known') await connect(p);
      else setStep({ kind: p.status === 'changed' ? 'changed' : 'verify', probe: p });
    } catch (err) {
      setError(errorMessage(err));
      setStep({ kind: 'form' });
    }
  };

  if (step.kind === 'changed') {
    const p = step.probe;
    return (
      <Dialog title="Add Host" onClose={close}>
        <div
          role="alert"
          className="mb-4 rounded border border-red-400 bg-red-50 p-3 dark:bg-red-950"
        >
          <h3 className="mb-1 font-semibold text-red-700 dark:text-red-300">Host key changed</h3>
          <p className="mb-2">
            {p.address}:{p.port} now presents a different host key than the one trusted before. This
            can mean a man-in-the-middle attack, or that the node was reinstalled. Nothing was sent
            to it.
          </p>
          <p className="font-mono text-xs break-all">Offered now: {p.fingerprint}</p>
          <p className="font-mono text-xs break-all">Trusted before: {p.knownFingerprint}</p>
          <p className="mt-2 text-xs">
            If the change is expected, remove the old key from Clusterdeck’s known_hosts, then add
            the node again.
          </p>
        </div>
        <div className="flex justify-end">
          <button className={buttonClass} onClick={close}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  if (step.kind === 'verify' || (step.kind === 'connecting' && !error)) {
    const p = step.kind === 'verify' ? step.probe : undefined;
    return (
      <Dialog title="Add Host" onClose={close} initialFocus="[data-trust]">
        <h3 className="mb-2 font-semibold">Verify host key</h3>
        {p && (
          <>
            <p className="mb-2">
              The server at {p.address}:{p.port} presents this{' '}
              {p.keyType.replace(/^ssh-/, '').toUpperCase()} key. Compare it with{' '}
              <code className="text-xs">
                ssh-keygen -lf /etc/ssh/ssh_host_
                {p.keyType.replace(/^ssh-/, '').replace(/^ecdsa.*/, 'ecdsa')}_key.pub
              </code>{' '}
              run on the node. Nothing else has been sent yet.
            </p>
            <p className="mb-4 rounded bg-slate-100 p-2 font-mono text-sm break-all select-all dark:bg-slate-900">
              {p.fingerprint}
            </p>
          </>
        )}
        {step.kind === 'connecting' && (
          <p role="status" className="mb-3">
            Connecting…
          </p>
        )}
        <div className="flex justify-end gap-2">
          <button className={buttonClass} onClick={close}>
            Cancel
          </button>
          <button
            data-trust
            className={primaryButtonClass}
            disabled={step.kind === 'connecting'}
            onClick={() => p && void connect(p)}
          >
            Trust and connect
          </button>
        </div>
      </Dialog>
    );
  }

  const busy = step.kind === 'probing' || step.kind === 'connecting';
  // For a key it is the passphrase that is kept: say so.
  const rememberLabel = f.auth === 'key' ? 'Remember passphrase' : 'Remember password';
  const field = (
    k: TextKey,
    text: string,
    props: Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> = {},
  ) => (
    <TextField
      compact
      label={text}
      value={String(f[k])}
      onChange={(v) => set(k, v)}
      onBlur={() => blur(k)}
      error={shown(k)}
      {...props}
    />
  );

  return (
    <Dialog title="Add Host" onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void probe();
        }}
        className="space-y-3"
      >
        <div className="grid grid-cols-[1fr_6rem] gap-3">
          {field('address', 'Address', {
            list: ids.aliases,
            placeholder: 'kvm1.example.org',
            autoComplete: 'off',
          })}
          {field('port', 'Port', { type: 'number', min: 1, max: 65535 })}
        </div>
        <datalist id={ids.aliases}>
          {aliases.map((a) => (
            <option key={a.alias} value={a.alias}>
              {a.hostName}
            </option>
          ))}
        </datalist>
        <div className="grid grid-cols-2 gap-3">
          {field('user', 'User', { autoComplete: 'off' })}
          {field('name', 'Display name', { placeholder: 'optional' })}
        </div>
        {field('proxyJump', 'Jump hosts (ProxyJump)', {
          placeholder: 'none: connect directly',
          spellCheck: false,
          autoComplete: 'off',
        })}
        <Select
          compact
          label="Authentication"
          value={f.auth}
          onChange={(v) => set('auth', v as AuthMethod)}
          options={AUTH_METHODS}
        />
        {f.auth === 'key' && (
          <div className="grid grid-cols-2 gap-3">
            {field('keyPath', 'Key file', { placeholder: '~/.ssh/id_ed25519', spellCheck: false })}
            {field('password', 'Key passphrase', {
              type: 'password',
              autoComplete: 'off',
              placeholder: 'if the key has one',
            })}
          </div>
        )}
        {f.auth === 'password' &&
          field('password', 'Password', { type: 'password', autoComplete: 'off' })}
        {remembers(f) && rememberable?.available && (
          <Checkbox checked={f.remember} onChange={(on) => set('remember', on)}>
            {rememberLabel}
          </Checkbox>
        )}
        {remembers(f) && rememberable && !rememberable.available && (
          <div>
            <Checkbox
              className="flex items-center gap-2 text-slate-500"
              checked={false}
              disabled
              describedBy={ids.rememberWhy}
              onChange={() => undefined}
            >
              {rememberLabel}
            </Checkbox>
            <p id={ids.rememberWhy} className="text-xs text-slate-600 dark:text-slate-300">
              {rememberable.reason ?? 'Passwords cannot be kept encrypted here.'}
            </p>
          </div>
        )}
        {error && (
          <p
            role="alert"
            className="rounded border border-red-400 bg-red-50 p-2 text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {error}
          </p>
        )}
        {step.kind === 'probing' && <p role="status">Fetching the host key…</p>}
        <div className="flex justify-end gap-2 pt-1">
          <button type="button" className={buttonClass} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={primaryButtonClass} disabled={busy}>
            Connect
          </button>
        </div>
      </form>
    </Dialog>
  );
}
