// The engine talks to a host only through this interface, so that unit tests can script a fake
// host and the real one is node-ssh underneath (src/transport/ssh.ts).

export interface ExecOptions {
  /** Bytes written to the command's stdin, then closed. Secrets travel here, never in argv. */
  stdin?: string | Buffer;
  /** Run through sudo (no-op when the login user is root). */
  sudo?: boolean;
  /** Remote timeout in seconds (wrapped in `timeout --kill-after`). Default 120. */
  timeoutSec?: number;
  /**
   * How the command appears in errors and logs instead of its text (e.g. `write /etc/nginx/nginx.conf`).
   * Give one whenever the command line is long or carries anything sensitive.
   */
  label?: string;
  /**
   * Called with each complete line the command writes to stderr, as it arrives (live progress
   * of a long command). The whole stderr is still in the result.
   */
  onStderrLine?: (line: string) => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when killed by a signal or the channel closed early. */
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}

export interface Transport {
  /** Display name of the host (inventory name or user@host:port). */
  readonly name: string;
  /** Every exec and upload is one round trip; reported as hosts[].roundTrips. */
  readonly roundTrips: number;
  /** SSH connections opened (normally 1). */
  readonly connections: number;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Drop the connection without a goodbye (fault injection, see engine/fault.ts). */
  cutConnection?(): void;
}
