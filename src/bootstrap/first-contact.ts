// First contact with a fresh Pi (`--ask-pass`): when no key of ours let us in and the password
// did, put our key into the login user's authorized_keys, then prove it works by logging in again
// with the key alone, and go on over that connection. The password connection is closed: nothing
// after this step relies on the password.
import type { AccessKey, ReportedChange } from '../report/result.js';
import { TransportError } from '../transport/errors.js';
import type { SshTransport } from '../transport/ssh.js';
import type { Secret } from '../redact/secret.js';
import { installKey } from './authorized-keys.js';
import { keyToInstall } from './public-key.js';

export interface FirstContact {
  /** The connection to go on with: logged in by key, except in check mode. */
  transport: SshTransport;
  key?: AccessKey;
  change?: ReportedChange;
  /** Round trips and connections of the password connection, closed on the way. */
  spent: { roundTrips: number; connections: number };
}

export interface FirstContactOptions {
  mode: 'apply' | 'check';
  keyPassphrase?: Secret;
  /** A NEW connection by key only. */
  reconnectByKey: () => Promise<SshTransport>;
}

/** A key was installed, yet the host refuses it. */
export class KeyRefusedError extends TransportError {
  constructor(host: string, fingerprint: string, file: string, detail: string, hint: string) {
    super('KEY_REFUSED', host, `the key ${fingerprint} is in ${file} on ${host}, yet the host refuses it: ${detail}`, hint);
  }
}

export async function firstContact(transport: SshTransport, options: FirstContactOptions): Promise<FirstContact> {
  const spent = { roundTrips: 0, connections: 0 };
  if (transport.loginMethod === 'key') return { transport, spent };

  const key = await keyToInstall(transport.target, options.keyPassphrase);
  const describe = `${key.type} key ${key.fingerprint} (${key.source})`;
  if (options.mode === 'check') {
    const change: ReportedChange = {
      role: 'bootstrap',
      type: 'ssh-key',
      name: '~/.ssh/authorized_keys',
      summary: `add the ${describe}; logged in by password`,
      status: 'planned',
    };
    return { transport, change, spent };
  }

  const answer = await installKey(transport, key);
  const file = answer.file ?? '~/.ssh/authorized_keys';
  const fixed = answer.fixed.length > 0 ? `; modes put right: ${answer.fixed.join(', ')}` : '';
  const installed: AccessKey = { fingerprint: key.fingerprint, type: key.type, source: key.source, added: answer.added };
  const change: ReportedChange | undefined =
    answer.added || answer.fixed.length > 0
      ? { role: 'bootstrap', type: 'ssh-key', name: file, summary: `${answer.added ? 'add' : 'keep'} the ${describe}${fixed}`, status: 'applied' }
      : undefined;

  let byKey: SshTransport;
  try {
    byKey = await options.reconnectByKey();
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0] ?? String(error);
    const hint = answer.homeWritable
      ? `others may write to the home directory (mode ${answer.homeWritable}), so sshd ignores its keys: \`chmod go-w ~\` on the host`
      : 'check what sshd makes of its configuration (sudo sshd -T | grep -iE "pubkey|authorizedkeys") and its log (journalctl -u ssh)';
    throw new KeyRefusedError(transport.name, key.fingerprint, file, detail, hint);
  }
  spent.roundTrips += transport.roundTrips;
  spent.connections += transport.connections;
  await transport.close();
  return { transport: byKey, key: installed, ...(change ? { change } : {}), spent };
}
