// Which credentials to offer a host, in which order, as OpenSSH would: explicit key files (`--key`,
// else IdentityFile) first, then ssh-agent; the default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa)
// only when no file was named, after the agent. ssh2 takes one `privateKey`, so the list goes
// through its `authHandler` instead, one attempt per key.
import { readFileSync, statSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { AgentAuthMethod, PublicKeyAuthMethod } from 'ssh2';
import type { Secret } from '../config/secret.js';
import { TransportError } from './errors.js';
import type { ResolvedTarget } from './ssh-config.js';

export type AuthAttempt = PublicKeyAuthMethod | AgentAuthMethod;

export interface AuthPlan {
  attempts: AuthAttempt[];
  /** What will be offered, in order, for an "authentication failed" hint (paths and `ssh-agent`). */
  offered: string[];
  /** Files passed over, with the reason (an encrypted key without a passphrase, unreadable). */
  skipped: string[];
}

export function planAuthentication(
  target: Pick<ResolvedTarget, 'user' | 'identityFiles' | 'identitySource' | 'identitiesOnly' | 'agentSocket'>,
  options: { passphrase?: Secret } = {},
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
  return plan;
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
