// `orbis reconnect <target...> | -i INVENTORY [--platform dlive|kick]`: drop a platform's push so
// that nginx-rtmp connects it again, without touching the stream or the other platform.
import { Option, type Command } from '@commander-js/extra-typings';
import { runAction } from './exit.js';
import type { LiveCliOptions } from './live-hosts.js';
import { numberOption, withConnectionOptions, withInventoryOptions, withSettingsSourceOptions } from './options.js';

interface ReconnectCliOptions extends LiveCliOptions {
  platform?: 'dlive' | 'kick';
  timeout: string;
  forks: string;
}

export function registerReconnectCommand(program: Command): void {
  const command = program
    .command('reconnect')
    .description('reconnect the pushes to the platforms (one with --platform), without stopping the stream')
    .argument('[targets...]', '[user@]host[:port] or ~/.ssh/config aliases; or use -i')
    .addOption(new Option('--platform <platform>', 'only this platform\'s push; the other one is not touched').choices(['dlive', 'kick'] as const))
    .option('--timeout <seconds>', 'how long to wait for the push to be connected again', '30')
    .addOption(new Option('--forks <n>', 'hosts at once').default('10'))
    .option('--json', 'print one JSON report on stdout (progress goes to stderr)', false);
  withInventoryOptions(command);
  withSettingsSourceOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
nginx-rtmp drops the push (through its control socket, root only) and connects it again by
itself after NGINX_DELAI_RECONNEXION_PUSH seconds: the streamer keeps publishing, and with
--platform the other platform's push stays as it is (the report checks it is the same
connection). This replaces the seed's \`sudo systemctl reload nginx\`, which reconnects nothing.

Examples:
  orbis reconnect pi@raspberrypi.local --platform kick
  orbis reconnect -i inventory/fleet.yaml --limit salon
  orbis reconnect salon --platform dlive --json

Exit codes: 0 every push asked for is connected again, 1 otherwise (or a host unreachable).`,
  );
  command.action(async (targets, parsed, cmd) => {
    const o = parsed as unknown as ReconnectCliOptions;
    await runAction('reconnect', async () => {
      const [{ liveHosts }, { reconnectHosts, formatReconnect }] = await Promise.all([import('./live-hosts.js'), import('../status/reconnect-hosts.js')]);
      const timeoutSec = numberOption(o.timeout, '--timeout', (n) => n > 0, 'a number of seconds above 0');
      const forks = numberOption(o.forks, '--forks', (n) => Number.isInteger(n) && n > 0, 'a whole number above 0');
      const live = await liveHosts('reconnect', targets, o, cmd.getOptionValueSource('conf') === 'cli');
      const report = await reconnectHosts(live, { platforms: o.platform ? [o.platform] : [], timeoutSec }, forks);
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReconnect(report));
      return report.hosts.every((h) => h.status === 'ok') ? 0 : 1;
    });
  });
}
