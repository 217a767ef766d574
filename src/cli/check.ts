// `orbis check <target>`: is this Pi still what its configuration says? The provisioning plan,
// computed and reported as drift, never applied.
import type { Command } from '@commander-js/extra-typings';
import { withConnectionOptions, withInventoryOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

export function registerCheckCommand(program: Command): void {
  const command = program
    .command('check')
    .description('report how a Pi drifted from its configuration (changes nothing)')
    .argument('[targets...]', '[user@]host[:port] or ~/.ssh/config aliases (checked concurrently); or use -i')
    .option('--diff', 'print unified diffs of changed files (stream keys masked)', false)
    .option('--forks <n>', 'hosts checked at once', '10');
  withInventoryOptions(command);
  withSettingsOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  orbis check pi@10.0.0.12 --diff
  orbis check -i inventory/fleet.yaml --limit maison --json

Per host: in sync, drift (each difference: role / resource / what differs), or unreachable/failed.
Exit codes: 0 all in sync, 2 drift on any host, 1 any host unreachable or failed (1 wins over 2).`,
  );
  command.action(async (targets, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as CliRunOptions & TargetOptions & { diff: boolean; forks: string };
    await runAction('check', async () => {
      const { hostsFor } = await import('./targets.js');
      const { withEarlyConnections } = await import('./early-connect.js');
      const hosts = await hostsFor(targets, options);
      const concurrency = Math.max(1, Number(options.forks) || 10);
      return withEarlyConnections(hosts, options, concurrency, async (early) => {
        const { runAndReport } = await import('./run-and-report.js');
        return runAndReport({
          command: 'check',
          mode: 'check',
          checkStatus: 'drift',
          hosts,
          concurrency,
          showDiffs: options.diff,
          options: { ...options, confExplicit: cmd.getOptionValueSource('conf') === 'cli' },
          early,
        });
      });
    });
  });
}
