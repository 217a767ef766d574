// `orbis inventory -i FILE`: the hosts of an inventory, how each is reached, and each host's
// effective settings with where every value came from (stream keys masked). Reads only: no
// host is contacted. A bad inventory or setting is an error at file:line:col, exit 1.
import type { Command } from '@commander-js/extra-typings';
import type { ConfigIssue } from '../config/index.js';
import type { Inventory, ResolvedHost } from '../inventory/index.js';
import type { HostInput, SshView } from '../inventory/show.js';
import type { resolveTarget as ResolveTarget } from '../transport/index.js';
import { closestName } from '../config/suggest.js';
import { runAction } from './exit.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export interface InventoryCliOptions {
  inventory: string[];
  limit?: string;
  host?: string;
  json: boolean;
  conf: string;
  /** --conf was given: a missing file is an error (the default file may be absent). */
  confExplicit: boolean;
  var: string[];
  sshConfig?: string;
  /** false with --no-defaults. */
  defaults: boolean;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export function registerInventoryCommand(program: Command): void {
  const command = program
    .command('inventory')
    .description('show an inventory\'s hosts and each host\'s effective settings, with where each value comes from')
    // No default list: commander would print "(default: [])" for a required option.
    .requiredOption('-i, --inventory <path>', 'inventory file, or a directory of *.yaml files (repeatable)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    .option('--limit <pattern>', 'only these hosts: names, groups, globs (pi-*), a,b or a:b, !exclude, &intersect, @retry-file')
    .option('--host <name>', 'only this host')
    .option('--conf <file>', 'settings file in the orbis.conf format (below the inventory)', 'conf/orbis.conf')
    .option('--var <KEY=VALUE>', 'override a setting (repeatable; wins over file, inventory and environment)', collect, [] as string[])
    .option('--ssh-config <file>', 'ssh_config used to show where hosts are reached (default: ~/.ssh/config)')
    .option('--no-defaults', 'leave out settings at their default (text output)')
    .option('--json', 'print the report as JSON on stdout', false);
  command.addHelpText(
    'after',
    `
Settings apply lowest first, the last one winning:
  default < conf/orbis.conf < inventory fleet vars < group vars (parents before children)
  < host vars < environment ORBIS_<NAME> < --var NAME=value
Each value is shown with its source: a file:line:col and the level (fleet, group X, host Y),
the environment variable, --var, or default. Stream keys are masked; a key given by reference
({ env: NAME }) shows the variable it is read from, and an unset one is a warning here (an
error when provisioning).

Examples:
  orbis inventory -i inventory/example.yaml
  orbis inventory -i inventory/ --host salon
  orbis inventory -i inventory/fleet.yaml --limit 'maison:!cuisine' --no-defaults
  orbis inventory -i inventory/fleet.yaml --var DLIVE_BITRATE_VIDEO=4500 --json

Exit codes: 0 the inventory and every selected host's settings are valid, 1 otherwise.`,
  );
  command.action(async (parsed, cmd) => {
    await runAction('inventory', async () => {
      const output = await inventoryCommand({ ...parsed, inventory: parsed.inventory ?? [], confExplicit: cmd.getOptionValueSource('conf') === 'cli' });
      process.stderr.write(output.stderr);
      process.stdout.write(output.stdout);
      return output.exitCode;
    });
  });
}

/** The command without its terminal: what it prints and its exit code (errors still throw). */
export async function inventoryCommand(options: InventoryCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<CommandOutput> {
  // Loaded here, not at the top: `orbis --help` and the other commands do not pay for them.
  const [{ existsSync }, config, inventory, show, transport] = await Promise.all([
    import('node:fs'),
    import('../config/index.js'),
    import('../inventory/index.js'),
    import('../inventory/show.js'),
    import('../transport/index.js'),
  ]);
  const loaded = inventory.loadInventory(options.inventory);
  const limited = inventory.limitHosts(loaded, options.limit);
  const names = options.host === undefined ? limited : [checkedHost(loaded, options.host, limited, options.limit, config)];
  const hosts = inventory.resolveHosts(loaded, names, { env, unresolved: 'warn' });
  const useConf = options.confExplicit || existsSync(options.conf);

  const warnings = [...loaded.warnings];
  const errors = new Map<string, ConfigIssue>();
  const inputs: HostInput[] = [];
  for (const host of hosts) {
    warnings.push(...host.warnings);
    try {
      const settings = config.loadSettings({ ...(useConf ? { confPath: options.conf } : {}), layers: host.layers, env, vars: options.var });
      warnings.push(...settings.warnings);
      inputs.push({ host, settings, ssh: sshView(transport.resolveTarget, host, options.sshConfig) });
    } catch (error) {
      if (!config.isConfigError(error)) throw error;
      // A group's bad value is one problem, however many of its hosts show it.
      for (const issue of error.issues) errors.set(config.formatIssue(issue), issue);
    }
  }
  if (errors.size > 0) throw new config.ConfigError([...errors.values()]);

  const report = show.inventoryReport({ files: loaded.files, groups: loaded.groups.map((g) => g.name), hosts: inputs, ...(useConf ? { confPath: options.conf } : {}) });
  const shownWarnings = [...new Set(warnings.map((w) => `warning: ${config.formatIssue(w)}\n`))].join('');
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : show.formatInventory(report, { hideDefaults: !options.defaults });
  return { stdout, stderr: shownWarnings, exitCode: 0 };
}

function checkedHost(loaded: Inventory, name: string, limited: readonly string[], limit: string | undefined, config: typeof import('../config/index.js')): string {
  const fail = (message: string, hint: string): never => {
    throw new config.ConfigError([{ source: '--host', variable: name, message, hint }]);
  };
  if (!loaded.hosts.some((h) => h.name === name)) {
    if (loaded.groups.some((g) => g.name === name)) fail('is a group, not a host', `use --limit ${name}`);
    const near = closestName(name, loaded.hosts.map((h) => h.name));
    fail('is no host of the inventory', near === undefined ? `the hosts are: ${loaded.hosts.map((h) => h.name).join(', ')}` : `did you mean ${near}?`);
  }
  if (!limited.includes(name)) fail(`is not among the hosts --limit ${limit ?? ''} selects`, 'drop --limit, or widen it');
  return name;
}

function sshView(resolveTarget: typeof ResolveTarget, host: ResolvedHost, configFile: string | undefined): SshView {
  try {
    const target = resolveTarget(host.target, { ...host.connect, ...(configFile === undefined ? {} : { configFile }) });
    return { hostname: target.hostname, user: target.user, port: target.port, identityFiles: target.identitySource === 'default' ? [] : target.identityFiles };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
