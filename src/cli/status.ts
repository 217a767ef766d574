// `orbis status <target...> | -i INVENTORY [--watch]`: the live state of each Pi, from nginx-rtmp's
// /stat, the units, the streamer and the journal: one round trip per host per refresh.
import { Option, type Command } from '@commander-js/extra-typings';
import { runAction } from './exit.js';
import type { LiveCliOptions } from './live-hosts.js';
import { numberOption, withConnectionOptions, withInventoryOptions, withSettingsSourceOptions } from './options.js';

interface StatusCliOptions extends LiveCliOptions {
  watch: boolean;
  interval: string;
  count?: string;
  forks: string;
}

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .description('live state of Pis: publishing, each platform\'s push, bitrates, fps, speed, uptime, restarts, last error')
    .argument('[targets...]', '[user@]host[:port] or ~/.ssh/config aliases; or use -i')
    .option('-w, --watch', 'refresh until interrupted (Ctrl-C); one SSH connection per host, kept open', false)
    .option('--interval <seconds>', 'seconds between two refreshes with --watch', '2')
    .option('--count <n>', 'with --watch: stop after this many refreshes')
    .addOption(new Option('--forks <n>', 'hosts asked at once').default('20'))
    .option('--json', 'print one JSON report on stdout (with --watch: one line per refresh)', false);
  withInventoryOptions(command);
  withSettingsSourceOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
One row per Pi: STATUS (ok, degraded, down, unreachable, auth-failed: the Pi refused the login), STREAM (how long the streamer has
been publishing to the local relay), DLIVE and KICK (each push: up for how long, CONNECTING,
DOWN, or off), the relay's bitrate in and out, the stream's fps and speed (measured over the
last seconds), the playlist round, how long the streamer has run and its automatic restarts.
Under the table: for each Pi that is not ok, what is wrong (causes first), and the last error
its journal holds (stream keys masked). Each refresh costs one round trip per host.

Examples:
  orbis status pi@raspberrypi.local
  orbis status -i inventory/fleet.yaml --watch
  orbis status -i inventory/fleet.yaml --limit maison --json
  orbis status salon --watch --interval 5 --count 12 --json   # one JSON line per refresh

Exit codes: 0 every Pi ok, 1 a Pi degraded, down, unreachable or refusing the login (the last refresh with --watch).`,
  );
  command.action(async (targets, parsed, cmd) => {
    const o = parsed as unknown as StatusCliOptions;
    await runAction('status', async () => {
      const [{ liveHosts }, { HostWatcher, refreshAll, statusExitCode }, { formatStatusTable }] = await Promise.all([
        import('./live-hosts.js'),
        import('../status/run.js'),
        import('../status/format.js'),
      ]);
      const whole = (n: number) => Number.isInteger(n) && n > 0;
      const intervalMs = numberOption(o.interval, '--interval', (n) => n > 0, 'a number of seconds above 0') * 1000;
      const count = o.watch && o.count !== undefined ? numberOption(o.count, '--count', whole, 'a whole number above 0') : o.watch ? Infinity : 1;
      const forks = numberOption(o.forks, '--forks', whole, 'a whole number above 0');
      const live = await liveHosts('status', targets, o, cmd.getOptionValueSource('conf') === 'cli');
      const watchers = live.hosts.map((h) => new HostWatcher(h, live.inputFor(h), live.connect));
      let stop = false;
      const interrupt = (): void => {
        stop = true;
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const clear = o.watch && !o.json && process.stdout.isTTY;
      let code = 0;
      try {
        for (let n = 0; n < count && !stop; n += 1) {
          const started = Date.now();
          const report = await refreshAll(watchers, forks);
          code = statusExitCode(report);
          if (o.json) {
            process.stdout.write(o.watch ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
          } else {
            const header = o.watch ? `orbis status at ${new Date(report.at).toLocaleTimeString()} (every ${o.interval} s; Ctrl-C stops)\n\n` : '';
            process.stdout.write(`${clear ? '\x1b[H\x1b[2J' : n > 0 ? '\n' : ''}${header}${formatStatusTable(report)}`);
          }
          if (n + 1 < count && !stop) await sleepUnless(() => stop, Math.max(0, intervalMs - (Date.now() - started)));
        }
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        await Promise.all(watchers.map((w) => w.close()));
      }
      return code;
    });
  });
}

/** Sleep, waking early (checking every 100 ms) once `stopped` says so. */
async function sleepUnless(stopped: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(100, until - Date.now())));
}
