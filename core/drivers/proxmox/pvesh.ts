// A Proxmox API call in the two forms it takes: the `pvesh` command an
// administrator would type for it (what the Tasks pane shows), and the
// parameters as pveproxy reads them (a query string or a form body).
import { canQuote, quoteArg } from '../../ssh/quote';

export const PVE_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type PveMethod = (typeof PVE_METHODS)[number];

/** A parameter's value as the API takes it: booleans go as 1/0, a list as the key repeated. */
export type PveValue = string | number | boolean | readonly (string | number)[];
export type PveParams = Readonly<Record<string, PveValue | undefined>>;

/** pvesh's verb for each HTTP method (pvesh(1): get, create, set, delete). */
const VERBS: Record<PveMethod, string> = {
  GET: 'get',
  POST: 'create',
  PUT: 'set',
  DELETE: 'delete',
};

/** What a secret parameter (a new container's password) shows as instead of its value. */
export const HIDDEN_VALUE = '<hidden>';

/** An API path as pvesh takes it: absolute, no query, no `..`, printable. */
const PATH = /^\/(?:[^/?#\s]+(?:\/[^/?#\s]+)*)?$/;

export function checkPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (!PATH.test(path) || path.split('/').includes('..') || /[\x00-\x1f\x7f]/.test(path))
    throw new Error(`Not a Proxmox API path: ${JSON.stringify(path)}`);
  return path;
}

/** A parameter's name as Proxmox's schema spells them: `vmid`, `net0`, `with-local-disks`. */
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The parameters as name/value pairs, in the order given, lists spread out, unset ones left out. */
export function paramPairs(params: PveParams = {}): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(name))
      throw new Error(`Not a Proxmox API parameter: ${JSON.stringify(name)}`);
    if (value === undefined) continue;
    if (typeof value === 'boolean') out.push([name, value ? '1' : '0']);
    else if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
    else out.push([name, String(value as string | number)]);
  }
  return out;
}

/** The parameters as pveproxy reads them: `a=1&b=x%20y` (query string or form body). */
export function formEncode(params: PveParams = {}): string {
  return new URLSearchParams(paramPairs(params)).toString();
}

/**
 * A value the shell cannot take in single quotes (a line break in a VM's
 * notes) is written as bash's $'…', which is what an administrator types.
 */
function ansiC(value: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const body = [...value]
    .map((c) => {
      if (c === '\\' || c === "'") return `\\${c}`;
      if (named[c]) return named[c];
      const code = c.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
    })
    .join('');
  return `$'${body}'`;
}

const shellWord = (value: string): string => (canQuote(value) ? quoteArg(value) : ansiC(value));

/**
 * The pvesh command for an API call: `pvesh create /nodes/pve1/qemu/100/status/start`,
 * `pvesh get /cluster/resources --type vm`. Each value is quoted as the app
 * quotes every shell argument; `hidden` names parameters whose values are
 * secrets, shown as <hidden>.
 */
export function pveshCommand(
  method: PveMethod,
  path: string,
  params: PveParams = {},
  hidden: readonly string[] = [],
): string {
  const words = ['pvesh', VERBS[method], shellWord(checkPath(path))];
  for (const [name, value] of paramPairs(params)) {
    words.push(`--${name}`, hidden.includes(name) ? HIDDEN_VALUE : shellWord(value));
  }
  return words.join(' ');
}
