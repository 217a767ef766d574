// Connections opened before the run proper. An SSH handshake is a few round trips plus the
// host's own work (sshd starting a process for the connection, key exchange); started before the
// controller loads its engine, roles, templates and settings, it goes on while they load instead
// of after them. It stops short of logging in: authentication waits for `release()`, which the
// run calls once every host's settings are valid, so a run refused for its settings never logs
// into a host (it only closes connections that never authenticated). A connection the run does
// not use (a skipped host) is closed unused.
import { connect, type SshConnectOptions, type SshTransport } from '../transport/ssh.js';
import type { CliRunOptions } from './run-and-report.js';
import { connectOptionsOf } from './options.js';
import type { HostTarget } from './session.js';

export class EarlyConnections {
  readonly #pending = new Map<string, Promise<SshTransport>>();
  readonly #gate: Promise<void>;
  #open!: () => void;
  #shut!: (reason: Error) => void;

  constructor() {
    this.#gate = new Promise<void>((resolve, reject) => {
      this.#open = resolve;
      this.#shut = reject;
    });
    this.#gate.catch(() => undefined); // shut before any connection reached authentication
  }

  /** Start connecting to the first `limit` hosts (those the run reaches first); no login yet. */
  static start(hosts: readonly HostTarget[], options: SshConnectOptions, limit: number): EarlyConnections {
    const early = new EarlyConnections();
    for (const host of hosts.slice(0, limit)) {
      const connecting = connect(host.target, { ...host.connect, ...options, name: host.name, loginGate: early.#gate });
      // A failure is reported by the host's run when it takes the connection; one never taken
      // needs no report (the run stopped before that host for its own reason).
      connecting.catch(() => undefined);
      early.#pending.set(host.name, connecting);
    }
    return early;
  }

  /** Every host's settings are valid: the connections may log in. */
  release(): void {
    this.#open();
  }

  /** The host's connection, if one was started: from then on the caller owns (and closes) it. */
  take(name: string): Promise<SshTransport> | undefined {
    const connecting = this.#pending.get(name);
    this.#pending.delete(name);
    return connecting;
  }

  /** Close the connections nobody took (those not logged in yet give up before logging in). */
  async closeAll(): Promise<void> {
    this.#shut(new Error('the run stopped before using this connection'));
    const left = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(left.map((connecting) => connecting.then((t) => t.close(), () => undefined)));
  }
}

/**
 * Run `action` with connections to the first `limit` of `hosts` already under way, and close
 * whatever it did not use. Nothing starts early when a password is asked for (--ask-pass,
 * --ask-become-pass: the connection is made with it) or a new key is made first (--new-key).
 */
export async function withEarlyConnections<T>(
  hosts: readonly HostTarget[],
  options: CliRunOptions,
  limit: number,
  action: (early: EarlyConnections) => Promise<T>,
): Promise<T> {
  const asks = options.askBecomePass || options.askPass === true || options.newKey === true;
  const early = asks ? new EarlyConnections() : EarlyConnections.start(hosts, connectOptionsOf(options), limit);
  try {
    return await action(early);
  } finally {
    await early.closeAll();
  }
}
