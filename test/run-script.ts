// Runs a lab script from a global setup, its output lines prefixed (labs of
// several stacks come up at once and print side by side); rejects on failure.
import { spawn } from 'node:child_process';

export function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const l of lines) process.stderr.write(`${prefix} ${l}\n`);
      });
      stream.on('end', () => rest && process.stderr.write(`${prefix} ${rest}\n`));
    }
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${script} ${args.join(' ')} exited with ${String(code)}`)),
    );
  });
}
