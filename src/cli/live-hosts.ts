// What `orbis status` and `orbis reconnect` share: the hosts (targets or -i INVENTORY), each
// host's settings read once and validated before any host is contacted, and how to connect.
// They only need the relay's and the units' names from the settings (and the keys to mask
// them), not the playlist: the stack's roles are loaded without orbis-service.
import { connectOptionsOf } from './options.js';
import { askHidden } from './prompt.js';
import type { CliRunOptions } from './run-and-report.js';
import { prepare } from '../app/prepare.js';
import { hostsFor, type TargetOptions } from './targets.js';
import type { SshConnectOptions } from '../transport/index.js';
import { verifyInputFrom } from '../verify/input.js';
import type { LiveHosts, StatusInput } from '../status/types.js';

export type LiveCliOptions = Pick<CliRunOptions, 'conf' | 'var' | 'platforms' | 'json' | 'key' | 'knownHosts' | 'hostKeyPolicy' | 'sshConfig' | 'connectTimeout' | 'askBecomePass'> & TargetOptions;

export async function liveHosts(command: string, targets: readonly string[], o: LiveCliOptions, confExplicit: boolean): Promise<LiveHosts> {
  const hosts = await hostsFor(targets, o);
  const connectOptions: SshConnectOptions = connectOptionsOf(o);
  const prepared = prepare({
    command,
    mode: 'check',
    checkStatus: 'drift',
    hosts,
    confPath: o.conf,
    confExplicit,
    vars: [...o.var, ...(o.platforms ? [`PLATEFORMES=${o.platforms}`] : [])],
    roles: ['nginx-rtmp', 'stunnel'],
    keysOptional: true,
    connect: connectOptions,
    concurrency: 1,
    quiet: true,
    lockWaitSec: 0,
  });
  const inputs = new Map(
    hosts.map((h) => {
      const loaded = prepared.settingsFor(h);
      return [h.name, { ...verifyInputFrom(loaded), pushReconnectSec: loaded.settings.NGINX_DELAI_RECONNEXION_PUSH }];
    }),
  );
  const becomePassword = o.askBecomePass ? await askHidden('sudo password: ') : undefined;
  return {
    hosts,
    inputFor: (host) => inputs.get(host.name) as StatusInput,
    connect: { ...connectOptions, ...(becomePassword ? { becomePassword } : {}) },
  };
}
