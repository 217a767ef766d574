// `orbis provision [user@]host[:port]`: make one Pi match its roles, then verify it.
import type { Command } from '@commander-js/extra-typings';
import { withBootstrapOptions, withConnectionOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { CliRunOptions } from './run-and-report.js';

export function registerProvisionCommand(program: Command): void {
  const command = program
    .command('provision')
    .description('apply the roles to one Pi over SSH (idempotent), then verify it')
    .argument('<target>', '[user@]host[:port] or an ~/.ssh/config alias')
    .option('--check', 'print the plan with diffs and change nothing (exit 2 when something would change)', false)
    .option('--no-verify', 'skip the verify step after applying')
    .option('--min-speed <x>', 'the verify step\'s FFmpeg test fails below this speed (as `orbis verify --min-speed`)', '1.2')
    .option('--retry-timeout <seconds>', 'how long the verify step retries checks that need the Pi to settle (as `orbis verify --retry-timeout`)', '60')
    .option('--lock-timeout <seconds>', 'wait this long for another orbis run on the host to finish', '30');
  withSettingsOptions(command);
  withConnectionOptions(command);
  withBootstrapOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  orbis provision pi@raspberrypi.local
  orbis provision pi@10.0.0.12 --check
  orbis provision salon --platforms dlive --var DLIVE_BITRATE_VIDEO=4000 --json
  orbis provision pi@raspberrypi.local --ask-pass            # a fresh Pi: password once, then your key
  orbis provision pi@raspberrypi.local --ask-pass --new-key  # ... with a key made for orbis

A first contact (--ask-pass) logs in by password only if no key is accepted, installs your key
(--key, IdentityFile, ssh-agent's first, or --new-key) in ~/.ssh/authorized_keys, continues by
key, and turns SSH password and root logins off under a safety net: the Pi undoes that by itself
unless orbis logs in again with the key within SSH_DELAI_CONFIRMATION seconds (see docs/bootstrap.md).

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
