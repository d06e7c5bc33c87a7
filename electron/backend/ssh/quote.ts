// The one function that turns an argv array into a command string for a
// POSIX shell or for virsh's interactive parser. Both accept single-quoted
// words with '\'' for an embedded quote, so one quoting serves both.
import { ClusterdeckError } from '../../../shared/errors';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteArg(arg: string): string {
  // A NUL or a newline cannot be carried safely through either parser.
  if (/[\0\n\r]/.test(arg)) {
    throw new ClusterdeckError(
      'invalid-input',
      `The value ${JSON.stringify(arg)} contains a line break or NUL and cannot be sent to a node.`,
    );
  }
  if (arg !== '' && SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new ClusterdeckError('internal', 'Empty command.');
  return argv.map(quoteArg).join(' ');
}
