// `orbis provision [user@]host[:port]`: make one Pi match its roles, then verify it.
import type { Command } from '@commander-js/extra-typings';
import { withConnectionOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { CliRunOptions } from './run-and-report.js';

export function registerProvisionCommand(program: Command): void {
  const command = program
    .command('provision')
    .description('apply the roles to one Pi over SSH (idempotent), then verify it')
    .argument('<target>', '[user@]host[:port] or an ~/.ssh/config alias')
    .option('--check', 'print the plan with diffs and change nothing (exit 2 when something would change)', false)
    .option('--no-verify', 'skip the verify step after applying')
    .option('--lock-timeout <seconds>', 'wait this long for another orbis run on the host to finish', '30');
  withSettingsOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  orbis provision pi@raspberrypi.local
  orbis provision pi@10.0.0.12 --check
  orbis provision salon --platforms dlive --var DLIVE_BITRATE_VIDEO=4000 --json

Exit codes: 0 done (or nothing to do), 2 --check found changes, 1 failure.`,
  );
  command.action(async (target, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as CliRunOptions & { check: boolean; verify: boolean };
    await runAction('provision', async () => {
      const { withEarlyConnections } = await import('./early-connect.js');
      return withEarlyConnections([{ name: target, target }], options, 1, async (early) => {
        const { runAndReport } = await import('./run-and-report.js');
        return runAndReport({
          command: 'provision',
          mode: options.check ? 'check' : 'apply',
          checkStatus: 'changed',
          target,
          options: { ...options, conf: options.conf, confExplicit: cmd.getOptionValueSource('conf') === 'cli' },
          early,
        });
      });
    });
  });
}
