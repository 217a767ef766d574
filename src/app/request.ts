// What a command asks of its hosts: which hosts, how to reach them, which roles and settings, in
// which mode. Built by the CLI from its options (cli/run-and-report.ts), or by anything else that
// runs hosts (a dashboard, an agent); read by prepare.ts, host-run.ts and the fleet.
import type { SettingsLayer } from '../config/index.js';
import type { SshConnectOptions } from '../transport/ssh.js';
import type { VerifyOptions } from '../verify/types.js';
import type { EarlyConnections } from './early-connections.js';

export interface HostTarget {
  /** Display name (inventory name, or the target as typed). */
  name: string;
  /** `[user@]host[:port]` or an SSH config alias. */
  target: string;
  /** Inventory layers for this host, lowest first. */
  layers?: SettingsLayer[];
  /** How the inventory says to reach this host (user, port, key); command-line options win. */
  connect?: Partial<SshConnectOptions>;
}

export interface RunRequest {
  command: string;
  mode: 'apply' | 'check';
  /** How a host with pending changes is reported in check mode. */
  checkStatus: 'changed' | 'drift';
  hosts: HostTarget[];
  confPath?: string;
  /** --conf given: a missing file is an error (otherwise no file is fine). */
  confExplicit: boolean;
  vars: string[];
  roles?: string[];
  /**
   * The command renders nothing to compare or apply (verify, status, reconnect): the stream keys
   * only mask its output, and an empty one is no error.
   */
  keysOptional?: boolean;
  connect: SshConnectOptions;
  concurrency: number;
  quiet: boolean;
  /** Seconds to wait for another run's lock on a host. */
  lockWaitSec: number;
  /** Connections already under way, by host name (see early-connect.ts). */
  early?: EarlyConnections;
  /** Verify each host after applying (provision/apply without --no-verify). */
  verify?: Omit<VerifyOptions, 'progress' | 'checks'>;
  /** A host whose run or verify fails is put back on its previous generation (and verified again). */
  rollbackOnFail?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * First contact (`--ask-pass`, the password in `connect.loginPassword`): a host that refuses our
   * keys is logged into by password, gets our key, and is reached by key from then on; `harden`
   * adds the ssh role (unless the host's SSH_DURCISSEMENT is false).
   */
  bootstrap?: { harden: boolean };
}
