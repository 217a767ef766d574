// Options shared by the commands that reach hosts, defined once so every command spells and
// documents them the same way.
import { Option, type Command } from '@commander-js/extra-typings';
import type { SshConnectOptions } from '../transport/ssh.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function withConnectionOptions<T extends Command<any, any, any>>(command: T) {
  return command
    .option('--key <file>', 'private key to authenticate with (default: ~/.ssh/config, ssh-agent, ~/.ssh/id_*)')
    .option('--known-hosts <file>', 'known_hosts file to check and record host keys in (default: ~/.ssh/known_hosts)')
    .addOption(
      new Option('--host-key-policy <policy>', 'unknown host keys: accept-new records them, strict refuses them; a changed key is always refused')
        .choices(['strict', 'accept-new'] as const),
    )
    .option('--ssh-config <file>', 'ssh_config to honour (default: ~/.ssh/config)')
    .option('--connect-timeout <seconds>', 'give up on a host whose SSH connection and login take longer (default: ConnectTimeout from ssh_config, else 20)')
    .option('--ask-become-pass', 'prompt for the sudo password (sent on stdin only)', false);
}

/** What withConnectionOptions parses (each command's options include these). */
export interface ConnectionCliOptions {
  key?: string;
  knownHosts?: string;
  hostKeyPolicy?: 'strict' | 'accept-new';
  sshConfig?: string;
  connectTimeout?: string;
}

/** The connection options the command line gives (a host's inventory values come under them). */
export function connectOptionsOf(o: ConnectionCliOptions): SshConnectOptions {
  return {
    ...(o.key ? { identityFile: o.key } : {}),
    ...(o.knownHosts ? { knownHostsFile: o.knownHosts } : {}),
    ...(o.hostKeyPolicy ? { hostKeyPolicy: o.hostKeyPolicy } : {}),
    ...(o.sshConfig ? { configFile: o.sshConfig } : {}),
    ...(o.connectTimeout === undefined
      ? {}
      : { readyTimeoutMs: 1000 * numberOption(o.connectTimeout, '--connect-timeout', (n) => n > 0 && n <= 3600, 'a number of seconds above 0 (at most 3600)') }),
  };
}

/** Where the settings come from (the file, --var, the platforms). */
export function withSettingsSourceOptions<T extends Command<any, any, any>>(command: T) {
  return command
    .option('--conf <file>', 'settings file in the orbis.conf format', 'conf/orbis.conf')
    .option('--var <KEY=VALUE>', 'override a setting (repeatable; wins over file, inventory and environment)', collect, [] as string[])
    .addOption(new Option('--platforms <which>', 'platforms to stream to (the seed\'s -p)').choices(['dlive', 'kick', 'toutes'] as const));
}

/** `json: false` for a command whose output is JSON anyway (`orbis facts`). */
export function withSettingsOptions<T extends Command<any, any, any>>(command: T, options: { json?: boolean } = {}) {
  const withSettings = withSettingsSourceOptions(command).option('--roles <list>', 'comma-separated roles to apply (default: the whole stack)');
  return options.json === false ? withSettings : withSettings.option('--json', 'print one JSON report on stdout (progress goes to stderr)', false);
}

export function withInventoryOptions<T extends Command<any, any, any>>(command: T) {
  return command
    .option('-i, --inventory <file>', 'inventory file or directory (repeatable)', collect, [] as string[])
    .option('--limit <pattern>', 'hosts of the inventory: names, groups, globs, a,b lists, !exclusions, &intersections, @retry-file')
    .option('--secrets <file>', 'encrypted secrets file read by { secret: NAME } references (default: conf/secrets.age)')
    .option('--identity <file>', 'age identity that opens the secrets file (default: $ORBIS_SECRETS_IDENTITY, ~/.config/orbis/identity.txt)');
}

/** First contact with a fresh Pi: provision and apply. */
export function withBootstrapOptions<T extends Command<any, any, any>>(command: T) {
  return command
    .option('--ask-pass', 'fresh Pi: prompt for the SSH login password (hidden; without a terminal, the first line of stdin), tried only when no key is accepted; orbis then installs your key and hardens SSH', false)
    .option('--new-key', 'with --ask-pass: install a key made for orbis (at the --key path, default ~/.ssh/orbis_ed25519; made unless it exists)', false)
    .option('--no-harden', 'with --ask-pass: leave sshd as it is (default: no password and no root login, under a safety net that undoes it unless orbis gets back in with the key)');
}

/** A numeric option's value, or an error naming the option and what it takes. */
export function numberOption(text: string, option: string, check: (n: number) => boolean, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${option} takes ${what}, not "${text}"`);
  return value;
}
