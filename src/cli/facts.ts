// `orbis facts <target>`: what orbis knows about a host before it plans, as JSON: os, arch, Pi
// model, FFmpeg's encoders, and the packages, units, paths, users and groups its roles manage,
// orbis's manifest and pending handlers. One round trip; changes nothing.
import type { Command } from '@commander-js/extra-typings';
import { withConnectionOptions, withInventoryOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

export function registerFactsCommand(program: Command): void {
  const command = program
    .command('facts')
    .description('print what orbis gathers about a host before planning, as JSON (one round trip, changes nothing)')
    .argument('[target]', '[user@]host[:port] or an ~/.ssh/config alias; or one host of an inventory with -i and --limit');
  withInventoryOptions(command);
  withSettingsOptions(command, { json: false });
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
The facts are those of the roles (--roles, default the whole stack): their packages, units, paths
(mode, owner, sha256), users and groups, and the guards of their commands, as provision sees them.
Stream keys are never printed. The JSON: { host, target, roundTrips, facts }.

Examples:
  orbis facts pi@raspberrypi.local
  orbis facts pi@10.0.0.12 --roles nginx-rtmp | jq '.facts.units'
  orbis facts -i inventory/fleet.yaml --limit salon

Exit codes: 0 gathered, 1 the host could not be reached or read.`,
  );
  command.action(async (target, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const options = parsed as unknown as CliRunOptions & TargetOptions;
    await runAction('facts', async () => {
      const [{ oneHost, withConnection }, { probeFacts }, { maskSecrets }] = await Promise.all([
        import('./one-host.js'),
        import('../engine/run.js'),
        import('../redact/secret.js'),
      ]);
      const host = await oneHost('facts', target, { ...options, json: true, confExplicit: cmd.getOptionValueSource('conf') === 'cli' });
      const report = await withConnection(host, async (transport) => {
        const facts = await probeFacts(transport, host);
        return { host: host.host.name, target: host.host.target, roundTrips: transport.roundTrips, facts };
      });
      process.stdout.write(`${maskSecrets(JSON.stringify(report, null, 2), host.secrets)}\n`);
      return 0;
    });
  });
}
