// `orbis verify <target...>`: prove that Pis stream, and say exactly what is wrong when they do
// not. The same settings and connection options as provision; hosts are verified concurrently.
import { Option, type Command } from '@commander-js/extra-typings';
import { connectOptionsOf, numberOption as number, withConnectionOptions, withInventoryOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { TargetOptions } from './targets.js';
import type { CliRunOptions } from './run-and-report.js';

interface VerifyCliOptions extends CliRunOptions, TargetOptions {
  retryTimeout: string;
  minSpeed: string;
  seconds: string;
  forks: string;
  encodeOnAir: boolean;
}

export function registerVerifyCommand(program: Command): void {
  const command = program
    .command('verify')
    .description('check that Pis stream: ports, TLS to Kick, clock, DLive, BTFS, FFmpeg speed, nginx, /stat, units (changes nothing)')
    .argument('[targets...]', '[user@]host[:port] or ~/.ssh/config aliases (verified concurrently); or use -i')
    .option('--retry-timeout <seconds>', 'how long checks that need the system to settle (units, listeners, gateway, /stat) are retried', '60')
    .option('--min-speed <x>', 'the FFmpeg test encode fails below this speed (1.2 = 20% headroom over real time)', '1.2')
    .option('--seconds <n>', 'seconds of media the FFmpeg test encodes', '10')
    .option('--encode-on-air', 'run the FFmpeg test encode even on a Pi that streams (it takes CPU from the live stream)', false)
    .addOption(new Option('--forks <n>', 'hosts verified at once').default('10'));
  withInventoryOptions(command);
  withSettingsOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
Per host, a table of checks (pass, WARN, FAIL) with the measured value and, when a check did not
pass, a hint. --json prints hosts[].verify[] (name, status, value, hint). Stream keys are never
shown. --roles limits the report to the checks those roles list (with the roles they depend on).
On a Pi that streams, ffmpeg.speed is the live stream's own speed (its last 5 s): no test encode
competes with it on air. Elsewhere, the FFmpeg test encodes --seconds of media from the gateway.
Verifying a whole inventory (-i INVENTORY) comes with inventories; until then name the hosts.

Examples:
  orbis verify pi@raspberrypi.local
  orbis verify pi@10.0.0.12 pi@10.0.0.13 --json
  orbis verify salon --retry-timeout 10 --min-speed 1.5
  orbis verify salon --encode-on-air          # the test encode's headroom, even while streaming
  orbis verify -i inventory/fleet.yaml --limit maison

Exit codes: 0 nothing failed (warnings allowed), 1 a check failed or a host was unreachable.`,
  );
  command.action(async (targets, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const o = parsed as unknown as VerifyCliOptions;
    await runAction('verify', async () => {
      const [{ prepare }, { verifyHosts, formatVerifyTable }, { formatRecap }, { exitCodeOf }, { askHidden }] = await Promise.all([
        import('../app/prepare.js'),
        import('../verify/index.js'),
        import('../report/recap.js'),
        import('../report/result.js'),
        import('./prompt.js'),
      ]);
      const verify = {
        retryTimeoutSec: number(o.retryTimeout, '--retry-timeout', (n) => n >= 0, 'a number of seconds (0 or more)'),
        minSpeed: number(o.minSpeed, '--min-speed', (n) => n > 0, 'a speed above 0, such as 1.2'),
        seconds: number(o.seconds, '--seconds', (n) => Number.isInteger(n) && n >= 1 && n <= 600, 'a whole number of seconds from 1 to 600'),
        encodeOnAir: o.encodeOnAir,
      };
      const { hostsFor } = await import('./targets.js');
      const hosts = await hostsFor(targets, o);
      const vars = [...o.var, ...(o.platforms ? [`PLATEFORMES=${o.platforms}`] : [])];
      const connectOptions = connectOptionsOf(o);
      // Settings as provision reads them (conf file, --var, ORBIS_*, role defaults); stream keys
      // are not required: verify only needs them to mask them.
      const prepared = prepare({
        command: 'verify',
        mode: 'check',
        checkStatus: 'drift',
        hosts,
        confPath: o.conf,
        confExplicit: cmd.getOptionValueSource('conf') === 'cli',
        vars,
        keysOptional: true,
        ...(o.roles ? { roles: o.roles.split(',').map((r) => r.trim()).filter((r) => r.length > 0) } : {}),
        connect: connectOptions,
        concurrency: 1,
        quiet: true,
        lockWaitSec: 0,
      });
      // --roles: only the checks those roles list in their `verify:` (and their dependencies').
      const checks = o.roles ? prepared.roles.flatMap((r) => r.spec.verify.map((v) => v.check)) : undefined;
      const becomePassword = o.askBecomePass ? await askHidden('sudo password: ') : undefined;
      const report = await verifyHosts({
        hosts,
        settingsFor: prepared.settingsFor,
        connect: { ...connectOptions, ...(becomePassword ? { becomePassword } : {}) },
        verify: { ...verify, ...(checks ? { checks } : {}) },
        concurrency: Math.max(1, Math.floor(Number(o.forks)) || 10),
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        for (const host of report.hosts) if (host.verify.length > 0) process.stdout.write(`${formatVerifyTable(host.name, host.verify)}\n`);
        process.stdout.write(formatRecap(report));
      }
      return exitCodeOf(report);
    });
  });
}
