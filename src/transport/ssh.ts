// The real Transport: one SSH connection per host (node-ssh over ssh2), at most 8 channels at a
// time, every command bounded by a remote `timeout`, sudo with the password on stdin only, and
// counters for the `--json` report.
import { StringDecoder } from 'node:string_decoder';
import type { NodeSSH } from 'node-ssh';
import type { Client, ClientChannel } from 'ssh2';
import { maskSecrets, type Secret } from '../redact/secret.js';
import { BecomeError, ChannelError, ConnectionLostError, TransportError, summarizeCommand, type BecomeFailure } from './errors.js';
import type { HostKeyPolicy, RecordedHostKey } from './host-key-policy.js';
import {
  KILL_AFTER_SEC,
  buildRemoteCommand,
  looksTimedOut,
  sudoNeedsPassword,
  sudoNotAllowed,
  sudoRejectedPassword,
  sudoStdin,
  type SudoMode,
} from './remote-command.js';
import type { LoginMethod } from './identity.js';
import { Semaphore } from './semaphore.js';
import { openConnection } from './ssh-connect.js';
import { resolveTarget, type ResolveOptions, type ResolvedTarget } from './ssh-config.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';

export interface SshConnectOptions extends ResolveOptions {
  /** Display name in errors and reports (the inventory name); default `user@host[:port]`. */
  name?: string;
  /** `--host-key-policy`; else StrictHostKeyChecking from the SSH config; else `accept-new`. */
  hostKeyPolicy?: HostKeyPolicy;
  /** `--ask-become-pass`: used by sudo only, sent on stdin only. */
  becomePassword?: Secret;
  /** Passphrase for encrypted key files (an agent is the better way). */
  keyPassphrase?: Secret;
  /**
   * `--ask-pass`: the login password, offered only after every key was refused, and only through
   * SSH authentication.
   */
  loginPassword?: Secret;
  /**
   * Authenticate only once this settles (resolved: log in; rejected: give up before logging
   * in): the TCP connection and key exchange go ahead meanwhile. See app/early-connections.ts.
   */
  loginGate?: Promise<void>;
  /** Connect + key exchange + auth; default ConnectTimeout from the config, else 20 s. */
  readyTimeoutMs?: number;
  /** SSH keepalive; default ServerAliveInterval from the config, else 15 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as dead; default 3. */
  keepaliveCountMax?: number;
  /** Channels open at once; default 8 (sshd's MaxSessions is 10). */
  maxChannels?: number;
  /** Remote timeout for a command that gives none; default 120 s. */
  defaultTimeoutSec?: number;
  /** Extra wait beyond a command's own timeout before the link is declared dead; default 30 s. */
  answerGraceSec?: number;
}

const DEFAULTS = {
  readyTimeoutMs: 20_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxChannels: 8,
  defaultTimeoutSec: 120,
  answerGraceSec: 30,
};

/** Resolve `[user@]host[:port]` through the SSH config and connect. */
export async function connect(target: string, options: SshConnectOptions = {}): Promise<SshTransport> {
  return connectResolved(resolveTarget(target, options), options);
}

/** Connect to an already resolved target (e.g. one the inventory resolved). */
export async function connectResolved(target: ResolvedTarget, options: SshConnectOptions = {}): Promise<SshTransport> {
  const opened = await openConnection(target, {
    hostKeyPolicy: options.hostKeyPolicy ?? target.hostKeyPolicy ?? 'accept-new',
    keyPassphrase: options.keyPassphrase,
    loginPassword: options.loginPassword,
    ...(options.loginGate ? { loginGate: options.loginGate } : {}),
    readyTimeoutMs: options.readyTimeoutMs ?? msFromSec(target.connectTimeoutSec) ?? DEFAULTS.readyTimeoutMs,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? msFromSec(target.serverAliveIntervalSec) ?? DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: options.keepaliveCountMax ?? target.serverAliveCountMax ?? DEFAULTS.keepaliveCountMax,
  });
  return new SshTransport(target, opened.ssh, opened.jump, opened.connections, opened.recordedHostKeys, options, opened.loginMethod);
}

function msFromSec(sec: number | undefined): number | undefined {
  return sec === undefined ? undefined : sec * 1000;
}

/** Whether sudo needs a password on this connection, learnt from the first sudo command. */
type SudoState = 'unknown' | 'nopasswd' | 'password';

export class SshTransport implements Transport {
  readonly name: string;
  readonly target: ResolvedTarget;
  /** Host keys recorded in known_hosts by this connection (accept-new), to report to the user. */
  readonly recordedHostKeys: readonly RecordedHostKey[];
  /** How the host let us in: a key, or the login password (first contact with a fresh Pi). */
  readonly loginMethod: LoginMethod;
  readonly #ssh: NodeSSH;
  readonly #client: Client;
  readonly #jump: NodeSSH | undefined;
  readonly #channels: Semaphore;
  readonly #becomePassword: Secret | undefined;
  readonly #defaultTimeoutSec: number;
  readonly #answerGraceSec: number;
  #roundTrips = 0;
  readonly #connections: number;
  #sudo: SudoState = 'unknown';
  #becomeFailure: BecomeFailure | undefined;
  /** Settles once the first password-mode command has told whether the password is right. */
  #passwordVerdict: Promise<void> | undefined;
  #lostReason: string | undefined;
  #closing = false;

  constructor(
    target: ResolvedTarget,
    ssh: NodeSSH,
    jump: NodeSSH | undefined,
    connections: number,
    recordedHostKeys: readonly RecordedHostKey[],
    options: SshConnectOptions,
    loginMethod: LoginMethod = 'key',
  ) {
    this.target = target;
    this.loginMethod = loginMethod;
    this.name = options.name ?? `${target.user}@${target.alias}${target.port === 22 ? '' : `:${target.port}`}`;
    this.recordedHostKeys = recordedHostKeys;
    this.#ssh = ssh;
    this.#jump = jump;
    this.#connections = connections;
    this.#channels = new Semaphore(options.maxChannels ?? DEFAULTS.maxChannels);
    this.#becomePassword = options.becomePassword;
    this.#defaultTimeoutSec = options.defaultTimeoutSec ?? DEFAULTS.defaultTimeoutSec;
    this.#answerGraceSec = options.answerGraceSec ?? DEFAULTS.answerGraceSec;
    if (!ssh.connection) throw new TransportError('INTERNAL', this.name, 'node-ssh returned without a connection');
    this.#client = ssh.connection;
    // (openConnection already put a permanent no-op 'error' listener on each connection.)
    this.#client.on('error', (error: Error) => {
      this.#lostReason ??= error.message;
    });
    this.#client.on('close', () => {
      if (!this.#closing) this.#lostReason ??= 'the host closed the connection';
    });
    // node-ssh adds a listener per call on the client (sftp, forwardOut, shell) and callers may
    // run many at once: without this, Node warns of a leak at 10 that is not one.
    this.#client.setMaxListeners(50);
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  get connections(): number {
    return this.#connections;
  }

  get user(): string {
    return this.target.user;
  }

  /** Root needs no sudo: `sudo: true` commands run directly. */
  get isRoot(): boolean {
    return this.target.user === 'root';
  }

  /** Whether the connection is still usable (false after close, or once it was lost). */
  get isOpen(): boolean {
    return !this.#closing && this.#lostReason === undefined;
  }

  /**
   * Run a command. Resolves with its outcome whatever the exit code; rejects only when it cannot
   * know the outcome (ConnectionLostError, ChannelError) or sudo refused (BecomeError).
   */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const label = options.label ?? summarizeCommand(command);
    const timeoutSec = options.timeoutSec ?? this.#defaultTimeoutSec;
    if (!options.sudo || this.isRoot) {
      return this.#run(buildRemoteCommand(command, { timeoutSec, sudo: 'none' }), options.stdin, label, timeoutSec, options.onStderrLine);
    }
    return this.#execWithSudo(command, options.stdin, label, timeoutSec, options.onStderrLine);
  }

  // The sudo probe is folded into the first real command: `sudo -n CMD` either runs it (NOPASSWD,
  // the common case on a Pi: zero extra round trips) or fails before running anything, and only
  // then is the command sent again with the password.
  async #execWithSudo(
    command: string,
    stdin: ExecOptions['stdin'],
    label: string,
    timeoutSec: number,
    onStderrLine: ExecOptions['onStderrLine'],
  ): Promise<ExecResult> {
    if (this.#becomeFailure) throw new BecomeError(this.name, this.#becomeFailure);
    const run = (mode: SudoMode, input: ExecOptions['stdin']): Promise<ExecResult> =>
      this.#run(buildRemoteCommand(command, { timeoutSec, sudo: mode }), input, label, timeoutSec, onStderrLine);

    if (this.#sudo !== 'password') {
      const result = await run('noninteractive', stdin);
      if (!sudoNeedsPassword(result)) {
        if (this.#sudo === 'unknown' && result.code !== null) this.#sudo = 'nopasswd';
        return result;
      }
      this.#sudo = 'password';
    }
    const password = this.#becomePassword;
    if (password === undefined || password.isEmpty) return this.#failBecome('password-required');

    // The first password attempt goes alone: a wrong password is then tried once, not once per
    // concurrent command (pam_faillock locks an account after a few failures).
    if (this.#passwordVerdict) {
      await this.#passwordVerdict;
      if (this.#becomeFailure) throw new BecomeError(this.name, this.#becomeFailure);
      return this.#checkPasswordResult(await run('password', sudoStdin(password.reveal(), stdin)));
    }
    let settle!: () => void;
    this.#passwordVerdict = new Promise((resolve) => (settle = resolve));
    try {
      return this.#checkPasswordResult(await run('password', sudoStdin(password.reveal(), stdin)));
    } finally {
      settle();
    }
  }

  #checkPasswordResult(result: ExecResult): ExecResult {
    if (sudoRejectedPassword(result)) return this.#failBecome('password-rejected');
    if (sudoNotAllowed(result)) return this.#failBecome('not-allowed');
    return result;
  }

  #failBecome(failure: BecomeFailure): never {
    this.#becomeFailure = failure;
    throw new BecomeError(this.name, failure);
  }

  /** One channel, one round trip: send the command and stdin, collect output and exit status. */
  #run(
    remoteCommand: string,
    stdin: ExecOptions['stdin'],
    label: string,
    timeoutSec: number,
    onStderrLine?: ExecOptions['onStderrLine'],
  ): Promise<ExecResult> {
    return this.#channels.run(
      () =>
        new Promise<ExecResult>((resolve, reject) => {
          if (this.#closing) return reject(new TransportError('CLOSED', this.name, `cannot run ${label} on ${this.name}: the connection was closed`));
          if (this.#lostReason !== undefined) return reject(new ConnectionLostError(this.name, label, this.#lostReason));
          this.#roundTrips++;
          const started = Date.now();
          const onChannel = (error: Error | undefined, channel: ClientChannel): void => {
            if (error) {
              reject(
                this.#lostReason !== undefined
                  ? new ConnectionLostError(this.name, label, this.#lostReason, error)
                  : new ChannelError(this.name, label, error.message, error),
              );
              return;
            }
            this.#collect(channel, stdin, label, timeoutSec, started, onStderrLine).then(resolve, reject);
          };
          try {
            this.#client.exec(remoteCommand, onChannel);
          } catch (error) {
            // ssh2 throws "Not connected" synchronously once the socket is gone.
            reject(new ConnectionLostError(this.name, label, this.#lostReason ?? (error as Error).message, error));
          }
        }),
    );
  }

  #collect(
    channel: ClientChannel,
    stdin: ExecOptions['stdin'],
    label: string,
    timeoutSec: number,
    started: number,
    onStderrLine?: ExecOptions['onStderrLine'],
  ): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null = null;
      let signal: string | null = null;
      let exited = false;
      // The remote `timeout` bounds the command; if even its KILL does not produce an answer
      // within a grace period, the link is dead in a way TCP has not noticed yet.
      const watchdog = setTimeout(
        () => {
          this.#lostReason ??= `no answer within ${timeoutSec + KILL_AFTER_SEC + this.#answerGraceSec} s`;
          reject(new ConnectionLostError(this.name, label, this.#lostReason));
          this.#client.destroy();
        },
        (timeoutSec + KILL_AFTER_SEC + this.#answerGraceSec) * 1000,
      );
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      let partialLine = '';
      const decoder = new StringDecoder('utf8');
      channel.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        if (!onStderrLine) return;
        const lines = (partialLine + decoder.write(chunk)).split('\n');
        partialLine = lines.pop() ?? '';
        for (const line of lines) onStderrLine(this.#mask(line));
      });
      channel.on('exit', (exitCode: number | null, signalName?: string) => {
        exited = true;
        if (typeof exitCode === 'number') code = exitCode;
        else signal = signalName ? `SIG${signalName}` : null;
      });
      // A write to a channel the server already closed must not become an unhandled 'error'.
      channel.on('error', () => undefined);
      channel.on('close', () => {
        clearTimeout(watchdog);
        if (!exited && this.#lostReason !== undefined) {
          reject(new ConnectionLostError(this.name, label, this.#lostReason));
          return;
        }
        resolve({
          // Decoded once at the end: a multi-byte character split across two chunks stays whole.
          stdout: this.#mask(Buffer.concat(stdout).toString('utf8')),
          stderr: this.#mask(Buffer.concat(stderr).toString('utf8')),
          code,
          signal,
          timedOut: looksTimedOut(code, Date.now() - started, timeoutSec),
        });
      });
      if (stdin === undefined) channel.end();
      else channel.end(stdin);
    });
  }

  // sudo never echoes the password, but output is shown in errors and logs: mask it anyway.
  #mask(text: string): string {
    return this.#becomePassword && !this.#becomePassword.isEmpty ? maskSecrets(text, [this.#becomePassword]) : text;
  }

  /**
   * Fault injection (tests, safety suite): drop the TCP connection the way a cut cable or a
   * reboot would, without an SSH disconnect message.
   */
  cutConnection(): void {
    this.#lostReason ??= 'connection cut (fault injection)';
    this.#client.destroy();
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      if (this.#lostReason !== undefined) return resolve();
      this.#client.once('close', () => resolve());
      setTimeout(resolve, 2000).unref(); // a dead peer never answers the disconnect
    });
    this.#ssh.dispose();
    await closed;
    this.#jump?.dispose();
  }
}
