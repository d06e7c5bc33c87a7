// The one function that turns an argv array into a command string for a
// POSIX shell or for virsh's interactive parser. Both accept single-quoted
// words with '\'' for an embedded quote, so one quoting serves both.
import { ClusterdeckError } from '../../shared/errors';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Control characters (C0 and DEL). None can be carried safely: a line break
 * ends the command, and the open virsh reads its input through readline even
 * from a pipe, which acts on them inside quotes as keys (Ctrl-U erases the
 * line typed so far, a tab completes, ESC starts a key sequence).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** A control character as a reader can see it: \n, \t or \xNN. */
function shown(c: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };
  return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Whether quoteArg takes the value (it holds no control character). */
export function canQuote(arg: string): boolean {
  return !CONTROL.test(arg);
}

export function quoteArg(arg: string): string {
  const bad = CONTROL.exec(arg);
  if (bad) {
    throw new ClusterdeckError(
      'invalid-input',
      `The value ${JSON.stringify(arg)} contains the control character ${shown(bad[0])}, which cannot be sent to a node: remove it (names, paths and values must be plain text).`,
    );
  }
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new ClusterdeckError('internal', 'Empty command.');
  return argv.map(quoteArg).join(' ');
}
