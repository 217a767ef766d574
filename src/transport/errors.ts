// Every way talking to a host can fail, as typed errors the CLI maps to a host status and an exit
// code at one boundary. Each one says what happened, on which host, and what to do about it
// (`hint`), and none ever carries a secret: commands are shown by a caller-chosen label or a
// one-line summary, and output tails are masked by the transport before they get here.

/** Base of every transport error: the host it concerns and what the user can do. */
export class TransportError extends Error {
  readonly host: string;
  readonly hint: string | undefined;
  /** Stable machine-readable kind, for `--json` and the exit-code boundary. */
  readonly code: string;

  constructor(code: string, host: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message}\n${hint}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.host = host;
    this.hint = hint;
  }
}

export type UnreachableReason = 'refused' | 'timeout' | 'dns' | 'network' | 'auth' | 'closed' | 'jump' | 'config';

/**
 * The host could not be reached or logged into. Under `--json` this is `status: unreachable`
 * (`auth-failed` when the host answered and refused the login: see isAuthFailure), not `failed`:
 * nothing was attempted on the host.
 */
export class UnreachableError extends TransportError {
  readonly reason: UnreachableReason;
  readonly port: number;
  /** What happened, without the host in front (a jump host's failure is told through it). */
  readonly detail: string;
  /** Identities offered, in order (paths or `agent (N keys)`), for auth failures. */
  readonly keysTried: readonly string[];

  constructor(init: {
    host: string;
    port: number;
    reason: UnreachableReason;
    detail: string;
    hint: string;
    keysTried?: readonly string[];
    cause?: unknown;
  }) {
    // A refused login is no failure to reach: the host answered.
    const what = init.reason === 'auth' ? `${init.host} (port ${init.port}) refused the login` : `cannot reach ${init.host} (port ${init.port})`;
    super('UNREACHABLE', init.host, `${what}: ${init.detail}`, init.hint, {
      cause: init.cause,
    });
    this.reason = init.reason;
    this.port = init.port;
    this.detail = init.detail;
    this.keysTried = init.keysTried ?? [];
  }
}

/** The host answered and refused the login (a wrong user, a wrong key, no key at all). */
export function isAuthFailure(error: unknown): error is UnreachableError {
  return error instanceof UnreachableError && error.reason === 'auth';
}

/** The connection died while a command ran (reboot, cut link, sshd killed). The command's outcome is unknown. */
export class ConnectionLostError extends TransportError {
  readonly command: string;

  constructor(host: string, command: string, detail: string, cause?: unknown) {
    super(
      'CONNECTION_LOST',
      host,
      `connection to ${host} lost while running ${command}: ${detail}`,
      'the command may or may not have completed on the host; re-run orbis once the host is back (every step is idempotent)',
      { cause },
    );
    this.command = command;
  }
}

/** A channel could not be opened on a live connection (e.g. sshd MaxSessions, or sshd refusing exec). */
export class ChannelError extends TransportError {
  constructor(host: string, command: string, detail: string, cause?: unknown) {
    super(
      'CHANNEL',
      host,
      `cannot open a channel on ${host} for ${command}: ${detail}`,
      'check sshd_config MaxSessions (orbis uses at most 8 channels per host) and the sshd log on the host',
      { cause },
    );
  }
}

/** Base of host key refusals: nothing was sent to the host, not even a user name. */
export class HostKeyError extends TransportError {
  /** The name looked up in known_hosts: `host` or `[host]:port`. */
  readonly knownHostsName: string;
  readonly presentedFingerprint: string;

  constructor(code: string, knownHostsName: string, presentedFingerprint: string, message: string, hint: string) {
    super(code, knownHostsName, message, hint);
    this.knownHostsName = knownHostsName;
    this.presentedFingerprint = presentedFingerprint;
  }
}

export interface KnownKeyRef {
  keyType: string;
  fingerprint: string;
  file: string;
  line: number;
}

/** Command that removes every known_hosts entry for a name, so that the next run records the new key. */
export function forgetHostCommand(knownHostsName: string, file: string): string {
  return `ssh-keygen -R ${quoteForUser(knownHostsName)} -f ${quoteForUser(file)}`;
}

// Shown to a user to paste into a shell; single quotes whenever anything beyond plain characters appears.
function quoteForUser(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The host presented a key that differs from the one recorded for it: a reinstalled Pi, a new SD
 * card, or someone in the middle. Refused under every policy.
 */
export class HostKeyChangedError extends HostKeyError {
  readonly presentedKeyType: string;
  readonly expected: readonly KnownKeyRef[];
  readonly fixCommand: string;

  constructor(init: {
    knownHostsName: string;
    presentedKeyType: string;
    presentedFingerprint: string;
    expected: readonly KnownKeyRef[];
    writeFile: string;
  }) {
    const expectedLines = init.expected.map(
      (k) => `  expected:  ${k.fingerprint} (${k.keyType}) from ${k.file}:${k.line}`,
    );
    const fixCommand = forgetHostCommand(init.knownHostsName, init.expected[0]?.file ?? init.writeFile);
    super(
      'HOST_KEY_CHANGED',
      init.knownHostsName,
      init.presentedFingerprint,
      [
        `host key for ${init.knownHostsName} has CHANGED: refusing to connect`,
        ...expectedLines,
        `  presented: ${init.presentedFingerprint} (${init.presentedKeyType})`,
        'Someone may be intercepting the connection, or the host was reinstalled and got new host keys.',
      ].join('\n'),
      `If you know why the key changed, accept it deliberately: ${fixCommand}  then re-run orbis.`,
    );
    this.presentedKeyType = init.presentedKeyType;
    this.expected = init.expected;
    this.fixCommand = fixCommand;
  }
}

/** Under `strict`, a host with no recorded key is refused. */
export class HostKeyUnknownError extends HostKeyError {
  readonly presentedKeyType: string;

  constructor(init: { knownHostsName: string; presentedKeyType: string; presentedFingerprint: string; files: readonly string[] }) {
    super(
      'HOST_KEY_UNKNOWN',
      init.knownHostsName,
      init.presentedFingerprint,
      `host key for ${init.knownHostsName} is unknown (${init.presentedKeyType} ${init.presentedFingerprint}) and the host key policy is strict; looked in ${init.files.join(', ') || '(no known_hosts file)'}`,
      'Check the fingerprint on the host (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), then either re-run with ' +
        '`--host-key-policy accept-new` to record it, or add it with `ssh-keyscan` to the known_hosts file.',
    );
    this.presentedKeyType = init.presentedKeyType;
  }
}

/** The presented key is marked `@revoked` in known_hosts. */
export class HostKeyRevokedError extends HostKeyError {
  constructor(init: { knownHostsName: string; presentedKeyType: string; presentedFingerprint: string; file: string; line: number }) {
    super(
      'HOST_KEY_REVOKED',
      init.knownHostsName,
      init.presentedFingerprint,
      `host key for ${init.knownHostsName} (${init.presentedKeyType} ${init.presentedFingerprint}) is marked @revoked in ${init.file}:${init.line}: refusing to connect`,
      'The host must get new host keys (`rm /etc/ssh/ssh_host_*; ssh-keygen -A` on it) before orbis will talk to it.',
    );
  }
}

export type BecomeFailure = 'password-required' | 'password-rejected' | 'not-allowed';

const BECOME_TEXT: Record<BecomeFailure, [message: string, hint: string]> = {
  'password-required': [
    'requires a password',
    'use --ask-become-pass, or configure NOPASSWD for this user in /etc/sudoers.d/ on the host',
  ],
  'password-rejected': [
    'rejected the become password',
    'check the password given to --ask-become-pass (orbis tries it once per connection, so the account is not locked out)',
  ],
  'not-allowed': [
    'does not allow this user to run commands as root',
    'add the user to the sudo group on the host (`usermod -aG sudo USER`), or log in as a user who may',
  ],
};

/** sudo would not run the command: no password where one is needed, a wrong one, or no sudo rights. */
export class BecomeError extends TransportError {
  readonly failure: BecomeFailure;

  constructor(host: string, failure: BecomeFailure) {
    const [message, hint] = BECOME_TEXT[failure];
    super('BECOME', host, `sudo on ${host} ${message}`, hint);
    this.failure = failure;
  }
}

/** How many trailing characters of stderr an error keeps: enough to see why, not a whole log. */
const STDERR_TAIL = 2000;

/**
 * A remote command finished unsuccessfully (non-zero exit, signal, or timeout). Like execa's error:
 * `shortMessage` is one line, `message` adds the stderr tail.
 */
export class RemoteCommandError extends TransportError {
  readonly command: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stderrTail: string;
  readonly shortMessage: string;

  constructor(init: {
    host: string;
    command: string;
    exitCode: number | null;
    signal: string | null;
    timedOut: boolean;
    stderr: string;
    hint?: string;
  }) {
    const outcome = init.timedOut
      ? 'timed out'
      : init.signal
        ? `was killed by ${init.signal}`
        : init.exitCode === null
          ? 'ended without an exit status'
          : `failed with exit code ${init.exitCode}`;
    const shortMessage = `${init.command} ${outcome} on ${init.host}`;
    const tail = tailOf(init.stderr.trimEnd(), STDERR_TAIL);
    super('REMOTE_COMMAND', init.host, tail ? `${shortMessage}\n${indent(tail)}` : shortMessage, init.hint);
    this.command = init.command;
    this.exitCode = init.exitCode;
    this.signal = init.signal;
    this.timedOut = init.timedOut;
    this.stderrTail = tail;
    this.shortMessage = shortMessage;
  }
}

/** One line, at most `max` characters: how a command appears in errors when the caller gave no label. */
export function summarizeCommand(command: string, max = 80): string {
  const firstLine = command.trim().split('\n', 1)[0] ?? '';
  const more = firstLine.length > max || command.trim().includes('\n');
  return `\`${firstLine.slice(0, max)}${more ? ' …' : ''}\``;
}

function tailOf(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max)}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
