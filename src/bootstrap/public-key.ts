// Which public key a first contact installs on the Pi: the one orbis would log in with next time.
// That is the first key of the connection's own plan (--key, else IdentityFile, else ssh-agent's
// first key before ~/.ssh/id_*), so that the key installed is the key offered from then on. Or a
// key orbis makes on request (--new-key), kept under ~/.ssh like any other.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import type { Secret } from '../redact/secret.js';
import { fingerprintOf } from '../transport/host-key.js';
import type { ResolvedTarget } from '../transport/ssh-config.js';

export interface PublicKey {
  /** The authorized_keys line: `type base64 [comment]`. */
  line: string;
  /** `SHA256:...`, as ssh-keygen -l prints it. */
  fingerprint: string;
  type: string;
  /** Where it came from, for the report: a file, or `ssh-agent`. */
  source: string;
}

export class KeyChoiceError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'KeyChoiceError';
  }
}

/** Where `--new-key` puts its key when no --key names a file. */
export function defaultNewKeyPath(home = homedir()): string {
  return join(home, '.ssh', 'orbis_ed25519');
}

/**
 * `--new-key`: an ed25519 key pair at `path` (0600, and `.pub` beside it), made unless one is
 * there already, so a second run reuses it. Returns whether it was made now.
 */
export function ensureNewKey(path: string): { path: string; created: boolean } {
  if (existsSync(path)) {
    if (!statSync(path).isFile()) throw new KeyChoiceError(`--new-key: ${path} exists and is not a key file`, 'give another path with --key');
    return { path, created: false };
  }
  const comment = `orbis@${safe(() => userInfo().username, 'orbis')}-${hostname()}`;
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // `wx`: never overwrite a key that appeared meanwhile (another run making the same one).
  writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' });
  writeFileSync(`${path}.pub`, `${pair.public.trim()}\n`, { mode: 0o644, flag: 'wx' }); // comment included
  return { path, created: true };
}

function safe<T>(get: () => T, fallback: T): T {
  try {
    return get();
  } catch {
    return fallback;
  }
}

function fromParsed(key: ParsedKey, source: string, comment?: string): PublicKey {
  const blob = key.getPublicSSH();
  const line = [key.type, blob.toString('base64'), ...(comment ? [comment] : [])].join(' ');
  return { line, fingerprint: fingerprintOf(blob), type: key.type, source };
}

/** The public half of a key file: its `.pub` when there is one (no passphrase needed), else derived. */
export function publicKeyOfFile(file: string, passphrase?: Secret): PublicKey | undefined {
  const pubFile = `${file}.pub`;
  if (existsSync(pubFile)) {
    const text = readFileSync(pubFile, 'utf8').trim();
    const parsed = ssh2.utils.parseKey(text);
    if (!(parsed instanceof Error)) return fromParsed(parsed, file, text.split(/\s+/).slice(2).join(' ') || undefined);
  }
  if (!existsSync(file)) return undefined;
  const parsed = ssh2.utils.parseKey(readFileSync(file), passphrase?.reveal());
  if (parsed instanceof Error) return undefined;
  return fromParsed(parsed, file, parsed.comment || undefined);
}

function firstAgentKey(socket: string): Promise<PublicKey | undefined> {
  return new Promise((resolve) => {
    try {
      new ssh2.OpenSSHAgent(socket).getIdentities((error, keys) => {
        const first = error ? undefined : keys?.[0];
        // OpenSSH's agent answers with parsed keys; the typings also allow a wrapped entry.
        const key = first !== undefined && 'getPublicSSH' in first ? first : undefined;
        resolve(key ? fromParsed(key, 'ssh-agent', key.comment || undefined) : undefined);
      });
    } catch {
      resolve(undefined);
    }
  });
}

function isSocket(path: string): boolean {
  return safe(() => statSync(path).isSocket(), false);
}

/** The key to install: the first one the connection's plan offers (see identity.ts for the order). */
export async function keyToInstall(
  target: Pick<ResolvedTarget, 'identityFiles' | 'identitySource' | 'identitiesOnly' | 'agentSocket'>,
  passphrase?: Secret,
): Promise<PublicKey> {
  const fromFiles = (): PublicKey | undefined => {
    for (const file of target.identityFiles) {
      const key = publicKeyOfFile(file, passphrase);
      if (key) return key;
    }
    return undefined;
  };
  const fromAgent = async (): Promise<PublicKey | undefined> =>
    target.identitiesOnly || target.agentSocket === undefined || !isSocket(target.agentSocket) ? undefined : firstAgentKey(target.agentSocket);
  const key = target.identitySource === 'default' ? ((await fromAgent()) ?? fromFiles()) : (fromFiles() ?? (await fromAgent()));
  if (key) return key;
  throw new KeyChoiceError(
    `no SSH key to install (looked at ${[...target.identityFiles, ...(target.agentSocket ? ['ssh-agent'] : [])].join(', ') || 'nothing'})`,
    'give one with --key FILE, load one into ssh-agent (ssh-add), or let orbis make one with --new-key',
  );
}
