// Connections opened before the run proper. An SSH handshake is a few round trips plus the
// host's own work (sshd starting a process for the connection, key exchange); started before the
// controller loads its engine, roles, templates and settings, it goes on while they load instead
// of after them. It stops short of logging in: authentication waits for `release()`, which the
// run calls once every host's settings are valid, so a run refused for its settings never logs
// into a host (it only closes connections that never authenticated). A connection the run does
// not use (a skipped host) is closed unused.
import { connect, type SshConnectOptions, type SshTransport } from '../transport/ssh.js';

/** A host to connect to early (request.ts HostTarget is one). */
export interface EarlyTarget {
  name: string;
  target: string;
  connect?: Partial<SshConnectOptions>;
}

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
  static start(hosts: readonly EarlyTarget[], options: SshConnectOptions, limit: number): EarlyConnections {
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
