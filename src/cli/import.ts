// `orbis import [user@]host`: read an upstream (hand-made) Orbis install on a Pi and write the
// orbis configuration that reproduces it; later, `--remove-old` retires upstream's files once
// the orbis-managed stack verifies. See docs/import.md.
import { Option, type Command } from '@commander-js/extra-typings';
import { runAction } from './exit.js';
import type { ImportCliOptions } from './import-run.js';
import { withConnectionOptions } from './options.js';
import type { CliRunOptions } from './run-and-report.js';

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description("read an upstream Orbis install on a Pi and write the orbis configuration for it (changes nothing on the Pi)")
    .argument('<target>', '[user@]host[:port] or an ~/.ssh/config alias')
    .option('--out <dir>', 'write DIR/conf/orbis.conf (0600), DIR/conf/ldl/*.txt and DIR/inventory/NAME.yaml', '.')
    .option('--name <name>', "the Pi's name in the inventory (default: its hostname)")
    .option('--project <dir>', "upstream's folder on the Pi, when it is not ~user/OrbisAlternis")
    .addOption(new Option('--keys <where>', 'where the stream keys go: the conf file (0600) or the encrypted secrets file (asked on a terminal when that file exists)').choices(['conf', 'secrets'] as const))
    .option('--secrets <file>', 'the encrypted secrets file for --keys secrets (default: DIR/conf/secrets.age)')
    .option('--identity <file>', 'age identity that opens the secrets file (default: $ORBIS_SECRETS_IDENTITY, ~/.config/orbis/identity.txt)')
    .option('--force', 'replace files the import would write that exist already', false)
    .option('--remove-old', "after provisioning: verify the orbis-managed stack, back upstream's files up on the Pi, then remove them", false)
    .option('--retry-timeout <seconds>', 'with --remove-old: how long checks that need the system to settle are retried', '60')
    .option('--json', 'print one JSON report on stdout (progress goes to stderr)', false);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
Reads, in one round trip and as root: ~user/OrbisAlternis (conf/orbis.conf, ldl/*.txt, scripts/),
/etc/nginx/orbis-rtmp-block.conf and its include in nginx.conf, sites-enabled/orbis-stats.conf,
/etc/stunnel/stunnel.conf, /etc/systemd/system/btfs.service and a streamer running by hand.
Each of upstream's variables is carried over or reported with the reason; values found only in
the live files (a key in nginx's push, the chain id in btfs.service) are reconciled, and every
disagreement is reported. Stream keys are written to the conf file (mode 0600) or the secrets
file, never printed.

Examples:
  orbis import pi@raspberrypi.local
  orbis import pi@10.0.0.12 --out ../fleet --name salon --keys secrets
  orbis import pi@10.0.0.12 --json > import-report.json
  orbis import pi@10.0.0.12 --remove-old        # once \`orbis provision\` has taken over

Exit codes: 0 written (or removed), 1 nothing upstream found, files in the way, values orbis
refuses, or --remove-old refused (verify failed, not provisioned yet, upstream still running).`,
  );
  command.action(async (target, parsed) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as ImportCliOptions;
    await runAction('import', async () => {
      const { runImport } = await import('./import-run.js');
      return runImport(target, options);
    });
  });
}
