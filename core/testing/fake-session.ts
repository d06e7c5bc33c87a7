// An SSH session stand-in for unit tests of the connection's life (connect,
// drop, reconnect with backoff): no socket, no ssh2. Test-only. It answers
// the stack probe with the given output and closes when the test says so.
import type { ExecResult, SessionTarget, SshSession } from '../ssh/session';

export class FakeSession {
  private closed = false;
  private readonly listeners = new Set<() => void>();
  readonly commands: string[][] = [];

  constructor(
    readonly target: SessionTarget,
    /** What the node prints for detect.ts's probe ("has:xe", "hostname:n1", …). */
    private readonly probeOutput: string,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The connection drops (or is closed by its owner): listeners hear it once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners) l();
  }

  async exec(argv: readonly string[]): Promise<ExecResult> {
    this.commands.push([...argv]);
    return { code: 0, stdout: this.probeOutput, stderr: '' };
  }

  /** The open shell's way (detect.ts probes through it): the same answers. */
  run(argv: readonly string[]): Promise<ExecResult> {
    return this.exec(argv);
  }

  /** As the connection sees it: only the members above are ever used with a fake driver. */
  asSession(): SshSession {
    return this as unknown as SshSession;
  }
}
