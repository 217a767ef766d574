// Host public keys as SSH puts them on the wire (RFC 4253 §6.6): the same bytes as the base64
// field of a known_hosts line, and what ssh2 hands to `hostVerifier`.
import { createHash } from 'node:crypto';

/** The key type is the first length-prefixed string of the blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) throw new Error('malformed host key blob');
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:<base64 without padding>`, exactly as `ssh-keygen -lf` and OpenSSH's prompts print it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

// ssh2 1.17's host key algorithms, in its order of preference (lib/protocol/constants.js); ssh-dss
// is supported but not offered by default. A key type of RSA is usable through three signature
// algorithms, the SHA-2 ones first (RFC 8332).
const SSH2_HOST_KEY_ALGORITHMS: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
  'ssh-dss',
];

function algorithmsForKeyType(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [keyType];
}

/**
 * The host key algorithms to offer when we hold keys of `keyTypes` for a host: only those, so the
 * server cannot pick a type we have no entry for (which would look like an unknown host). Returns
 * undefined when none of the types is one ssh2 can negotiate: then ssh2's defaults apply and the
 * verifier decides.
 */
export function pinnedHostKeyAlgorithms(keyTypes: Iterable<string>): string[] | undefined {
  const wanted = new Set<string>();
  for (const type of keyTypes) for (const algo of algorithmsForKeyType(type)) wanted.add(algo);
  const pinned = SSH2_HOST_KEY_ALGORITHMS.filter((algo) => wanted.has(algo));
  return pinned.length > 0 ? pinned : undefined;
}
