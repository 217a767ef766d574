// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): read, match, append.
// No maintained npm parser exists, and the format is small: one key per line,
//   [@revoked|@cert-authority] patterns keytype base64 [comment]
// where patterns is a comma list of names (`host`, `[host]:port`, `*`/`?` wildcards, `!negation`)
// or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { keyTypeOf } from './host-key.js';

export interface KnownHostEntry {
  file: string;
  /** 1-based, for error messages that point at the line to fix. */
  line: number;
  /**
   * `@cert-authority` lines are kept so callers can say they were skipped: ssh2 does not verify
   * host certificates, so such a line can never vouch for a key here.
   */
  marker: 'revoked' | 'cert-authority' | null;
  /** The raw host field: a comma list of patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/**
 * The name a host is filed under: the bare host name on port 22, `[host]:port` otherwise
 * (OpenSSH's put_host_port). Lower-cased, as OpenSSH does before matching.
 */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** Parse a known_hosts file. Lines that do not parse are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fields = (lines[i] ?? '').trim().split(/[ \t]+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] === '@revoked') marker = 'revoked';
      else if (fields[0] === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH ignores the line
      fields.shift();
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue;
    const key = Buffer.from(base64, 'base64');
    try {
      if (keyTypeOf(key) !== keyType) continue;
    } catch {
      continue;
    }
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  }
  return entries;
}

/** Does the host field of an entry cover `name` (as produced by `knownHostsName`)? */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedNameMatches(hosts, name);
  // OpenSSH match_hostname: any negated pattern that matches vetoes the line.
  let matched = false;
  for (const raw of hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!globMatches(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedNameMatches(field: string, name: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/** Entries of `files` (in order) that apply to `name`. A missing file has no entries. */
export async function lookupKnownHosts(files: readonly string[], name: string): Promise<KnownHostEntry[]> {
  const found: KnownHostEntry[] = [];
  for (const file of files) {
    const text = await readIfExists(file);
    if (text === undefined) continue;
    for (const entry of parseKnownHosts(text, file)) if (hostFieldMatches(entry.hosts, name)) found.push(entry);
  }
  return found;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * One known_hosts line. Plain by default, like OpenSSH's own default (HashKnownHosts no): a plain
 * file lets the user audit which Pis orbis has recorded (`grep`, code review of a shared file),
 * and `ssh-keygen -F/-R` work on both forms anyway. `hash` writes `|1|salt|hash` instead.
 */
export function formatKnownHostsLine(name: string, key: Buffer, options: { hash?: boolean } = {}): string {
  let hostField = name;
  if (options.hash) {
    const salt = randomBytes(20); // SHA-1 block-sized salt, as OpenSSH uses
    const digest = createHmac('sha1', salt).update(name).digest('base64');
    hostField = `|1|${salt.toString('base64')}|${digest}`;
  }
  return `${hostField} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
}

// Appends are serialized per file within the process: when a fleet run connects to many new hosts
// at once, each check-then-append must see the previous one's line. (Across processes, each append
// is a single O_APPEND write of one short line, which the kernel does not interleave.)
const fileQueues = new Map<string, Promise<unknown>>();

/** Run `task` while holding this process's lock on `file`. */
export function withKnownHostsLock<T>(file: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(file);
  const previous = fileQueues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.catch(() => undefined);
  fileQueues.set(key, settled);
  void settled.then(() => {
    if (fileQueues.get(key) === settled) fileQueues.delete(key);
  });
  return run;
}

/** Append one line (from `formatKnownHostsLine`). Call inside `withKnownHostsLock`. */
export async function appendKnownHostsLine(file: string, line: string): Promise<void> {
  // ~/.ssh must stay private (sshd and ssh refuse lax modes on some files in it).
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readIfExists(file);
  const separator = existing !== undefined && existing.length > 0 && !existing.endsWith('\n') ? '\n' : '';
  await appendFile(file, separator + line, { mode: 0o600 });
}
