// Which credentials to offer a host, in which order, as OpenSSH would: explicit key files (`--key`,
// else IdentityFile) first, then ssh-agent; the default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa)
// only when no file was named, after the agent; a login password (`--ask-pass`, first contact
// with a fresh Pi) last of all. ssh2 takes one `privateKey`, so the list goes through its
// `authHandler` instead, one attempt per key.
import { readFileSync, statSync } from 'node:fs';
import ssh2 from 'ssh2';
import type {
  AgentAuthMethod,
  AuthHandlerMiddleware,
  KeyboardInteractiveAuthMethod,
  PasswordAuthMethod,
  PublicKeyAuthMethod,
} from 'ssh2';
import type { Secret } from '../redact/secret.js';
import { TransportError } from './errors.js';
import type { ResolvedTarget } from './ssh-config.js';

export type AuthAttempt = PublicKeyAuthMethod | AgentAuthMethod | PasswordAuthMethod | KeyboardInteractiveAuthMethod;

/** How a connection logged in: with a key (a file or the agent's), or with the login password. */
export type LoginMethod = 'key' | 'password';

export interface AuthPlan {
  attempts: AuthAttempt[];
  /** What will be offered, in order, for an "authentication failed" hint (paths and `ssh-agent`). */
  offered: string[];
  /** Files passed over, with the reason (an encrypted key without a passphrase, unreadable). */
  skipped: string[];
}

export function planAuthentication(
  target: Pick<ResolvedTarget, 'user' | 'identityFiles' | 'identitySource' | 'identitiesOnly' | 'agentSocket'>,
  options: { passphrase?: Secret; password?: Secret } = {},
): AuthPlan {
  const plan: AuthPlan = { attempts: [], offered: [], skipped: [] };
  const addFiles = (): void => {
    for (const file of target.identityFiles) addKeyFile(plan, target, file, options.passphrase);
  };
  const addAgent = (): void => {
    if (target.identitiesOnly || target.agentSocket === undefined) return;
    // ssh2 reports an unusable agent as a connection 'error', which would abort the whole connect:
    // offer only a socket that exists.
    if (!isSocket(target.agentSocket)) {
      plan.skipped.push(`ssh-agent at ${target.agentSocket} (no socket there)`);
      return;
    }
    plan.attempts.push({ type: 'agent', username: target.user, agent: target.agentSocket });
    plan.offered.push(`ssh-agent (${target.agentSocket})`);
  };
  if (target.identitySource === 'default') {
    addAgent();
    addFiles();
  } else {
    addFiles();
    addAgent();
  }
  if (options.password !== undefined && !options.password.isEmpty) addPassword(plan, target.user, options.password);
  return plan;
}

// sshd offers a password through `password` (PasswordAuthentication) or, with PAM,
// `keyboard-interactive` (KbdInteractiveAuthentication): both are planned, and `authHandlerFor`
// sends the password through at most one of them.
function addPassword(plan: AuthPlan, user: string, password: Secret): void {
  plan.attempts.push({ type: 'password', username: user, password: password.reveal() });
  plan.attempts.push({
    type: 'keyboard-interactive',
    username: user,
    // PAM asks "Password: " once; any other prompt gets the same answer, as ssh's would.
    prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password.reveal())),
  });
  plan.offered.push('password (--ask-pass)');
}

/**
 * ssh2's authHandler over the planned attempts: each attempt once, in order, except the password
 * methods the server does not offer, and the password only ONCE per connection (a wrong one must
 * not count twice against the account, pam_faillock locks it after a few). `onAttempt` learns
 * which method is being tried: the last one tried before 'ready' is the one that logged in.
 */
export function authHandlerFor(attempts: readonly AuthAttempt[], onAttempt: (method: LoginMethod) => void): AuthHandlerMiddleware {
  let next = 0;
  let passwordSent = false;
  return (authsLeft, _partialSuccess, callback) => {
    // null on the first call, before the server has said which methods it takes.
    const offered = authsLeft as readonly string[] | null;
    while (next < attempts.length) {
      const attempt = attempts[next++] as AuthAttempt;
      const isPassword = attempt.type === 'password' || attempt.type === 'keyboard-interactive';
      if (isPassword && (passwordSent || (offered !== null && !offered.includes(attempt.type)))) continue;
      if (isPassword) passwordSent = true;
      onAttempt(isPassword ? 'password' : 'key');
      callback(attempt);
      return;
    }
    // ssh2 takes `false` for "nothing left to try" (its typings omit it).
    (callback as (next: AuthAttempt | false) => void)(false);
  };
}

function addKeyFile(plan: AuthPlan, target: Pick<ResolvedTarget, 'user' | 'identitySource'>, file: string, passphrase?: Secret): void {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (target.identitySource === 'cli') {
      throw new TransportError('KEY', file, `cannot read the key given with --key: ${file} (${code ?? (error as Error).message})`, 'check the path, or leave --key out to use the SSH config, ssh-agent and ~/.ssh/id_*');
    }
    if (code !== 'ENOENT' || target.identitySource === 'config') plan.skipped.push(`${file} (${code === 'ENOENT' ? 'does not exist' : code})`);
    return;
  }
  const parsed = ssh2.utils.parseKey(content, passphrase?.reveal());
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    const reason = encrypted ? 'encrypted: load it into ssh-agent (ssh-add) or give its passphrase' : parsed.message;
    if (target.identitySource === 'cli') {
      throw new TransportError('KEY', file, `cannot use the key given with --key: ${file}: ${reason}`);
    }
    plan.skipped.push(`${file} (${reason})`);
    return;
  }
  plan.attempts.push({ type: 'publickey', username: target.user, key: content, ...(passphrase ? { passphrase: passphrase.reveal() } : {}) });
  plan.offered.push(file);
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
