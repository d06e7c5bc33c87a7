// PVE's command-line conventions for the lab's stand-ins (tools.ts): how
// pvesh/pveum read their arguments. Test infrastructure only.
import type { TextOptions } from './tool-api';

/** A command line PVE's CLI refuses: its message, printed as is. */
export class ArgError extends Error {}

export const FORMATS = ['text', 'json', 'json-pretty', 'yaml'];

export interface Parsed {
  positional: string[];
  pairs: [string, string][];
  format: string;
  text: TextOptions;
  quiet: boolean;
}

/**
 * PVE's CLI arguments: positionals, then `--name value` (or `--name=value`,
 * a bare `--flag` is 1 as for PVE's booleans), a name repeated for a list,
 * and the format options every pvesh/pveum command takes.
 */
export function parseArgs(argv: string[], positionals: number): Parsed {
  const out: Parsed = { positional: [], pairs: [], format: 'text', text: {}, quiet: false };
  let i = 0;
  while (i < argv.length && out.positional.length < positionals && !argv[i]!.startsWith('--'))
    out.positional.push(argv[i++]!);
  while (i < argv.length) {
    const arg = argv[i++]!;
    const m = /^--?([A-Za-z][A-Za-z0-9_-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new ArgError('400 too many arguments\n');
    const name = m[1]!;
    let value = m[2];
    if (value === undefined) {
      const next = argv[i];
      value = next !== undefined && !/^--[A-Za-z]/.test(next) ? (i++, next) : '1';
    }
    if (name === 'output-format') {
      if (!FORMATS.includes(value))
        throw new ArgError(
          `400 Parameter verification failed.\noutput-format: value '${value}' does not have a value in the enumeration '${FORMATS.join(', ')}'\n`,
        );
      out.format = value;
    } else if (name === 'noborder') out.text.noborder = value !== '0';
    else if (name === 'noheader') out.text.noheader = value !== '0';
    else if (name === 'quiet') out.quiet = value !== '0';
    else if (name === 'human-readable') continue;
    else out.pairs.push([name, value]);
  }
  return out;
}
