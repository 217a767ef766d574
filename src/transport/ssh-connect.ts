// Opening one authenticated SSH connection (node-ssh over ssh2) to a resolved target, through one
// ProxyJump hop when configured, with the host key checked against known_hosts and every failure
// turned into an error that says what to do.
import { NodeSSH } from 'node-ssh';
import type { Readable } from 'node:stream';
import type { Secret } from '../redact/secret.js';
import { TransportError, UnreachableError, type UnreachableReason } from './errors.js';
import { prepareHostKeyCheck, type HostKeyPolicy, type RecordedHostKey } from './host-key-policy.js';
import type { AuthHandlerMiddleware } from 'ssh2';
import { authHandlerFor, planAuthentication, type LoginMethod } from './identity.js';
import type { ResolvedTarget } from './ssh-config.js';

export interface OpenOptions {
  hostKeyPolicy: HostKeyPolicy;
  keyPassphrase?: Secret;
  /** Login password, offered after every key (`--ask-pass`); to the target only, never to a jump host. */
  loginPassword?: Secret;
  /** Authenticate only once this settles (rejected: no login at all). */
  loginGate?: Promise<void>;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export interface OpenedConnection {
  ssh: NodeSSH;
  /** The jump host's connection, to close after the target's. */
  jump: NodeSSH | undefined;
  /** Connections opened (target + jump). */
  connections: number;
  recordedHostKeys: RecordedHostKey[];
  /** How the target logged us in. */
  loginMethod: LoginMethod;
}

export async function openConnection(target: ResolvedTarget, options: OpenOptions): Promise<OpenedConnection> {
  const recordedHostKeys: RecordedHostKey[] = [];
  let jump: NodeSSH | undefined;
  let sock: Readable | undefined;
  if (target.proxyJump) {
    const { loginPassword: _targetOnly, ...hopOptions } = options;
    const hop = await openConnection(target.proxyJump, hopOptions).catch((error: unknown) => {
      throw viaJump(error, target);
    });
    recordedHostKeys.push(...hop.recordedHostKeys);
    jump = hop.ssh;
    try {
      sock = await jump.forwardOut('127.0.0.1', 0, target.hostname, target.port);
    } catch (error) {
      jump.dispose();
      throw new UnreachableError({
        host: target.alias,
        port: target.port,
        reason: 'jump',
        detail: `jump host ${target.proxyJump.alias} could not open a connection to ${target.hostname}:${target.port} (${errorText(error)})`,
        hint: `check that ${target.hostname} is reachable from ${target.proxyJump.alias} and that sshd runs on port ${target.port}`,
        cause: error,
      });
    }
  }
  try {
    const { ssh, loginMethod } = await openOne(target, sock, options, recordedHostKeys);
    return { ssh, jump, connections: jump ? 2 : 1, recordedHostKeys, loginMethod };
  } catch (error) {
    jump?.dispose();
    throw error;
  }
}

async function openOne(
  target: ResolvedTarget,
  sock: Readable | undefined,
  options: OpenOptions,
  recordedHostKeys: RecordedHostKey[],
): Promise<{ ssh: NodeSSH; loginMethod: LoginMethod }> {
  // HostKeyAlias replaces host AND port in the known_hosts name, as in OpenSSH.
  const hostKeys = await prepareHostKeyCheck({
    host: target.hostKeyAlias ?? target.hostname,
    port: target.hostKeyAlias ? 22 : target.port,
    policy: options.hostKeyPolicy,
    knownHostsFiles: target.knownHostsFiles,
    globalKnownHostsFiles: target.globalKnownHostsFiles,
    hashNewEntries: target.hashKnownHosts,
  });
  const auth = planAuthentication(target, { passphrase: options.keyPassphrase, password: options.loginPassword });
  let loginMethod: LoginMethod = 'key';
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      ...(sock ? { sock } : { host: target.hostname, port: target.port }),
      username: target.user,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => hostKeys.verify(key, verify),
      ...(hostKeys.serverHostKeyAlgorithms ? { algorithms: { serverHostKey: hostKeys.serverHostKeyAlgorithms as never } } : {}),
      authHandler: gated(authHandlerFor(auth.attempts, (method) => (loginMethod = method)), options.loginGate),
      readyTimeout: options.readyTimeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax,
    });
  } catch (error) {
    ssh.dispose();
    if (hostKeys.failure) throw hostKeys.failure;
    throw unreachableFrom(error, target, auth.offered, auth.skipped, options.readyTimeoutMs);
  }
  // A permanent listener, right away: node-ssh drops its own at 'ready', and an 'error' event with
  // no listener (ECONNRESET after a reboot or a cut link) would kill the whole process, every
  // other host's run with it. Owners add their own listeners to learn about the loss.
  ssh.connection?.on('error', () => undefined);
  if (hostKeys.recorded) recordedHostKeys.push(hostKeys.recorded);
  return { ssh, loginMethod };
}

/** The first authentication attempt waits for the gate; a closed gate tries nothing (no login). */
function gated(handler: AuthHandlerMiddleware, gate: Promise<void> | undefined): AuthHandlerMiddleware {
  if (gate === undefined) return handler;
  return (authsLeft, partialSuccess, callback) => {
    gate.then(
      () => handler(authsLeft, partialSuccess, callback),
      // ssh2 takes `false` for "nothing left to try" (its typings omit it).
      () => (callback as unknown as (next: false) => void)(false),
    );
  };
}

// A failed hop is reported against the target the user asked for, saying which hop failed.
function viaJump(error: unknown, target: ResolvedTarget): unknown {
  if (!(error instanceof UnreachableError) || error.reason === 'jump' && error.host === target.alias) return error;
  return new UnreachableError({
    host: target.alias,
    port: target.port,
    reason: 'jump',
    detail: `via jump host ${error.host}: ${error.detail}`,
    hint: error.hint ?? '',
    keysTried: error.keysTried,
    cause: error,
  });
}

/** Turn an ssh2/node-ssh/socket error from connect into an UnreachableError with a hint. */
export function unreachableFrom(
  error: unknown,
  target: Pick<ResolvedTarget, 'alias' | 'hostname' | 'port' | 'user'>,
  offered: readonly string[],
  skipped: readonly string[],
  readyTimeoutMs: number,
): TransportError {
  if (error instanceof TransportError) return error;
  const err = error as (Error & { code?: string | number; level?: string }) | undefined;
  const where = target.hostname === target.alias ? target.hostname : `${target.alias} (${target.hostname})`;
  const make = (reason: UnreachableReason, detail: string, hint: string): UnreachableError =>
    new UnreachableError({ host: target.alias, port: target.port, reason, detail, hint, keysTried: offered, cause: error });

  if (err?.level === 'client-authentication') {
    const tried = offered.length > 0 ? `offered: ${offered.join(', ')}` : 'no key was available to offer';
    const passed = skipped.length > 0 ? `; passed over: ${skipped.join(', ')}` : '';
    const withPassword = offered.some((o) => o.startsWith('password'));
    const login = `${target.port === 22 ? '' : `-p ${target.port} `}${target.user}@${target.hostname}`;
    return make(
      'auth',
      `authentication failed for user ${target.user} (${tried}${passed})`,
      withPassword
        ? `check the user name and the password of ${target.user} on ${where} (sshd may also refuse passwords: PasswordAuthentication no)`
        : offered.length === 0
          ? // Nothing to offer: "one of these keys" would point at nothing. How to get one.
            `make a key and put it on the Pi: \`ssh-keygen -t ed25519\` then \`ssh-copy-id ${login}\`; ` +
            'or let orbis do both on a Pi that still takes its password: add --ask-pass --new-key'
          : `check that the user ${target.user} exists on ${where} and that one of these keys is in its ~/.ssh/authorized_keys ` +
            '(or give the right one with --key, or load it into ssh-agent; a fresh Pi: --ask-pass)',
    );
  }
  if (err?.level === 'client-timeout') {
    return make(
      'timeout',
      `no SSH handshake within ${readyTimeoutMs / 1000} s`,
      `check the address of ${where}, that it is powered and on the network, and that sshd answers on port ${target.port}`,
    );
  }
  // node-ssh reports a socket closed before 'ready' without any error as ETIMEDOUT: it is a close.
  if (err?.message === 'No response from server') {
    return make('closed', 'the host closed the connection during the SSH handshake', `check that port ${target.port} of ${where} is an SSH server and that sshd accepts us (MaxStartups, firewall, fail2ban)`);
  }
  switch (err?.code) {
    case 'ECONNREFUSED':
      return make('refused', 'connection refused', `nothing listens on port ${target.port} of ${where}: check that sshd runs there (systemctl status ssh) and the port`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return make('dns', `cannot resolve ${target.hostname}`, `check the host name, or give an address (or a HostName in ~/.ssh/config)`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return make('network', `network error (${err.code})`, `check the address of ${where} and that this machine can reach it`);
    case 'ECONNRESET':
    case 'EPIPE':
      return make('closed', `connection reset during the SSH handshake (${err.code})`, `check that port ${target.port} of ${where} is an SSH server and that sshd accepts us (MaxStartups, firewall, fail2ban)`);
  }
  return make(
    'closed',
    errorText(error),
    `check that port ${target.port} of ${where} is an SSH server and that sshd accepts us (MaxStartups, firewall, fail2ban)`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
