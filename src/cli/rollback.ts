// `orbis rollback <target>`: put a Pi back on the files (and unit states) of its previous
// successful run, from the backups orbis keeps on it; restart what depends on them, verify.
import type { Command } from '@commander-js/extra-typings';
import { BACKUP_GENERATIONS } from '../engine/script-lib.js';
import { runAction } from './exit.js';
import type { RollbackCliOptions } from './rollback-run.js';
import { withConnectionOptions, withInventoryOptions } from './options.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

export function registerRollbackCommand(program: Command): void {
  const command = program
    .command('rollback')
    .description("put Pis back on the files and units of their previous successful run (from the backups orbis keeps on each Pi)")
    .argument('[targets...]', '[user@]host[:port] or ~/.ssh/config aliases (rolled back concurrently); or use -i')
    .option('--to <run>', 'go back to this run (an id or a unique start of one, from --list) instead of the previous one')
    .option('--list', 'list the runs each Pi keeps and which can be gone back to (changes nothing)', false)
    .option('--check', 'print what would be put back and change nothing (exit 2 when something would change)', false)
    .option('--no-verify', 'skip verifying the Pi after the rollback')
    .option('--forks <n>', 'hosts rolled back at once', '10')
    .option('--lock-timeout <seconds>', 'wait this long for another orbis run on the host to finish', '30')
    .option('--conf <file>', 'settings file: only its stream keys are used, to mask them', 'conf/orbis.conf')
    .option('--json', 'print one JSON report on stdout (progress goes to stderr)', false);
  withInventoryOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
Every orbis run keeps, on the Pi, what it replaced (content, mode, owner; which files did not exist;
the units it enabled, disabled, started or stopped), for the last ${BACKUP_GENERATIONS} runs. A rollback undoes the
runs after the one it goes back to, newest first: each file comes back atomically (validated
first, as apply validates it: nginx -t, bash -n), files that did not exist are removed, units get
their state back, the handlers of the files put back run (restart nginx, ...), and the manifest
is the old one again, so \`orbis check\` then reports how the Pi differs from the configuration.
Packages, users and directories stay as they are. A failure before every file is back leaves the
Pi as it was. Backups are root's only (0600 in 0700 directories), stream keys included.

Examples:
  orbis rollback pi@10.0.0.12                  # back to the previous successful run
  orbis rollback pi@10.0.0.12 --list           # the runs kept, and which can be gone back to
  orbis rollback pi@10.0.0.12 --to 20260101T120000-ab12cd --check
  orbis rollback -i inventory/fleet.yaml --limit salon --json

Exit codes: 0 rolled back (or already there), 2 --check found something to put back, 1 a host
failed, was unreachable, has no previous run to go back to, or failed its verify afterwards.`,
  );
  command.action(async (targets, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as RollbackCliOptions;
    await runAction('rollback', async () => {
      const { runRollback } = await import('./rollback-run.js');
      return runRollback(targets, { ...options, confExplicit: cmd.getOptionValueSource('conf') === 'cli' });
    });
  });
}
