// `orbis apply -i INVENTORY`: roll a change out over a fleet in safe batches (canary first,
// then --serial batches), each host provisioned then verified; past --max-fail no further batch
// starts and the untouched hosts are reported as skipped. Failed hosts go to a retry file.
import type { Command } from '@commander-js/extra-typings';
import { runAction } from './exit.js';
import type { ApplyOptions } from './apply-run.js';
import { withBootstrapOptions, withConnectionOptions, withInventoryOptions, withSettingsOptions } from './options.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

export function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description('apply the roles to every Pi of an inventory, in safe rolling batches')
    .option('--forks <n>', 'hosts provisioned at once within a batch', '10')
    .option('--serial <n|n%>', 'batch size: a count or a share of the selected hosts (default: all at once)')
    .option('--canary <n|n%>', 'a first batch of this many hosts, provisioned and verified before the rest')
    .option('--max-fail <n%>', 'stop starting batches once more than this share of hosts failed', '0%')
    .option('--check', 'print each host\'s plan and change nothing (exit 2 when something would change)', false)
    .option('--no-verify', 'skip the verify step after provisioning each host')
    .option('--min-speed <x>', 'the verify step\'s FFmpeg test fails below this speed (as `orbis verify --min-speed`)', '1.2')
    .option('--retry-timeout <seconds>', 'how long the verify step retries checks that need a Pi to settle (as `orbis verify --retry-timeout`)', '60')
    .option('--rollback-on-fail', 'put a host whose provisioning or verify fails back on its previous successful run, and verify it again (it still counts as failed)', false)
    .option('--retry-file <file>', 'where the names of failed and skipped hosts are written (use with --limit @FILE)', 'orbis.retry');
  withInventoryOptions(command);
  withSettingsOptions(command);
  withConnectionOptions(command);
  withBootstrapOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  orbis apply -i inventory/fleet.yaml
  orbis apply -i inventory/fleet.yaml --canary 1 --serial 25% --max-fail 10%
  orbis apply -i inventory/fleet.yaml --limit 'salon,cuisine'
  orbis apply -i inventory/fleet.yaml --limit @orbis.retry
  orbis apply -i inventory/fleet.yaml --serial 1 --rollback-on-fail

Exit codes: 0 done, 2 --check found changes, 1 a host failed, was unreachable or was skipped.`,
  );
  command.action(async (parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as ApplyOptions;
    await runAction('apply', async () => {
      const { hostsFor } = await import('./targets.js');
      const { planRollout } = await import('../fleet/batches.js');
      const { withEarlyConnections } = await import('./early-connect.js');
      const hosts = await hostsFor([], options);
      const rollout = planRollout(hosts, options);
      // The rollout reaches the first batch first, --forks hosts at a time.
      return withEarlyConnections(rollout.plan.batches[0] ?? [], options, rollout.forks, async (early) => {
        const { runApply } = await import('./apply-run.js');
        return runApply({ ...options, confExplicit: cmd.getOptionValueSource('conf') === 'cli' }, hosts, rollout, early);
      });
    });
  });
}
