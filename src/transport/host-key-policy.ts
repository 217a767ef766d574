// Deciding whether to trust the key a host presents, the way OpenSSH's StrictHostKeyChecking does:
//   strict      unknown -> refuse, changed -> refuse
//   accept-new  unknown -> record, changed -> refuse   (orbis's default, as `ssh -o StrictHostKeyChecking=accept-new`)
// Without a hostVerifier ssh2 accepts any key, so every connection goes through here.
import { fingerprintOf, keyTypeOf, pinnedHostKeyAlgorithms } from './host-key.js';
import {
  appendKnownHostsLine,
  formatKnownHostsLine,
  knownHostsName,
  lookupKnownHosts,
  withKnownHostsLock,
  type KnownHostEntry,
} from './known-hosts.js';
import {
  HostKeyChangedError,
  HostKeyRevokedError,
  HostKeyUnknownError,
  TransportError,
  type HostKeyError,
} from './errors.js';

export type HostKeyPolicy = 'strict' | 'accept-new';
export const HOST_KEY_POLICIES: readonly HostKeyPolicy[] = ['strict', 'accept-new'];

export type HostKeyDecision =
  | { kind: 'known'; entry: KnownHostEntry }
  | { kind: 'revoked'; entry: KnownHostEntry }
  | { kind: 'changed'; expected: KnownHostEntry[] }
  | { kind: 'unknown' };

/** Pure: what the entries recorded for a host say about the key it presents. */
export function decideHostKey(entries: readonly KnownHostEntry[], presented: Buffer): HostKeyDecision {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const usable = entries.filter((e) => e.marker === null);
  const known = usable.find((e) => e.key.equals(presented));
  if (known) return { kind: 'known', entry: known };
  if (usable.length === 0) return { kind: 'unknown' };
  // Keys are recorded for this host but none is the one presented. With the same type, that is a
  // changed key. With only other types: since we pin the algorithms to the types we hold, the
  // server no longer has ANY key we know, which is just as suspicious; OpenSSH would record it
  // under accept-new, orbis refuses.
  const type = keyTypeOf(presented);
  const sameType = usable.filter((e) => e.keyType === type);
  return { kind: 'changed', expected: sameType.length > 0 ? sameType : usable };
}

export interface HostKeyCheckOptions {
  /** The host as connected to (HostName), or HostKeyAlias when one is configured. */
  host: string;
  port: number;
  policy: HostKeyPolicy;
  /** Read in order; a new key is appended to the first one. */
  knownHostsFiles: readonly string[];
  /** Read only (e.g. /etc/ssh/ssh_known_hosts). */
  globalKnownHostsFiles?: readonly string[];
  /** Write `|1|salt|hash` names (ssh_config HashKnownHosts yes) instead of plain ones. */
  hashNewEntries?: boolean;
}

export interface HostKeyCheck {
  readonly knownHostsName: string;
  /** `algorithms.serverHostKey` for ssh2, or undefined to let ssh2 offer its defaults. */
  readonly serverHostKeyAlgorithms: string[] | undefined;
  /** For ssh2's `hostVerifier` (asynchronous form). */
  verify(key: Buffer, accept: (ok: boolean) => void): void;
  /** Why `verify` refused, to throw instead of ssh2's bare "Host denied". */
  readonly failure: HostKeyError | TransportError | undefined;
  /** Set when the key was unknown and has been recorded (accept-new), to tell the user. */
  readonly recorded: RecordedHostKey | undefined;
}

export interface RecordedHostKey {
  knownHostsName: string;
  keyType: string;
  fingerprint: string;
  file: string;
}

/** Read what is known about a host once, before connecting, and build its verifier. */
export async function prepareHostKeyCheck(options: HostKeyCheckOptions): Promise<HostKeyCheck> {
  const name = knownHostsName(options.host, options.port);
  const writeFile = options.knownHostsFiles[0];
  const allFiles = [...options.knownHostsFiles, ...(options.globalKnownHostsFiles ?? [])];
  const initial = await lookupKnownHosts(allFiles, name).catch((error: unknown) => {
    throw new TransportError(
      'HOST_KEY_CHECK',
      name,
      `cannot read known_hosts for ${name}: ${error instanceof Error ? error.message : String(error)}`,
      'check the permissions of the known_hosts files, or give another one with --known-hosts',
      { cause: error },
    );
  });

  let failure: HostKeyError | TransportError | undefined;
  let recorded: RecordedHostKey | undefined;

  const check = async (presented: Buffer): Promise<boolean> => {
    const keyType = keyTypeOf(presented);
    const fingerprint = fingerprintOf(presented);
    // Keeps the reason of a refusal for the caller; true only for a key on record.
    const conclude = (decision: HostKeyDecision): boolean => {
      if (decision.kind === 'revoked') {
        failure = new HostKeyRevokedError({
          knownHostsName: name,
          presentedKeyType: keyType,
          presentedFingerprint: fingerprint,
          file: decision.entry.file,
          line: decision.entry.line,
        });
      } else if (decision.kind === 'changed') {
        failure = new HostKeyChangedError({
          knownHostsName: name,
          presentedKeyType: keyType,
          presentedFingerprint: fingerprint,
          expected: decision.expected.map((e) => ({
            keyType: e.keyType,
            fingerprint: fingerprintOf(e.key),
            file: e.file,
            line: e.line,
          })),
          writeFile: writeFile ?? '~/.ssh/known_hosts',
        });
      } else if (decision.kind === 'unknown') {
        failure = new HostKeyUnknownError({
          knownHostsName: name,
          presentedKeyType: keyType,
          presentedFingerprint: fingerprint,
          files: allFiles,
        });
      }
      return decision.kind === 'known';
    };

    const first = decideHostKey(initial, presented);
    if (first.kind !== 'unknown' || options.policy === 'strict' || writeFile === undefined) return conclude(first);

    // accept-new: decide again under the file lock, since another connection in this process may
    // have recorded a key for the same name since we read the file.
    return withKnownHostsLock(writeFile, async () => {
      const again = decideHostKey(await lookupKnownHosts(allFiles, name), presented);
      if (again.kind !== 'unknown') return conclude(again);
      await appendKnownHostsLine(writeFile, formatKnownHostsLine(name, presented, { hash: options.hashNewEntries }));
      recorded = { knownHostsName: name, keyType, fingerprint, file: writeFile };
      return true;
    });
  };

  return {
    knownHostsName: name,
    serverHostKeyAlgorithms: pinnedHostKeyAlgorithms(
      initial.filter((e) => e.marker === null).map((e) => e.keyType),
    ),
    verify(key, accept) {
      check(key).then(accept, (error: unknown) => {
        failure = new TransportError(
          'HOST_KEY_CHECK',
          name,
          `cannot check the host key of ${name}: ${error instanceof Error ? error.message : String(error)}`,
          `check that ${writeFile ?? 'the known_hosts file'} is readable and writable`,
          { cause: error },
        );
        accept(false);
      });
    },
    get failure() {
      return failure;
    },
    get recorded() {
      return recorded;
    },
  };
}
