// `orbis render <target> --out DIR`: every file the roles would write on a host, rendered here
// with the host's settings (conf file, inventory layers, environment, --var: as provision reads
// them) and written under DIR at their paths on the Pi. Stream keys are masked unless
// --show-secrets. Changes nothing on the host.
//
// Facts: two things in the files depend on the host, the encoder ENCODEUR_VIDEO=auto resolves to
// (a Pi 4 whose FFmpeg has h264_v4l2m2m, or libx264) and its reason. So by default render reads
// the host's facts (one round trip, as provision does) and the files are byte for byte what
// provision writes. --offline connects to nothing and renders as for a host whose facts are not
// known yet, the way provision's first pass does (auto -> libx264); it says so.
import type { Command } from '@commander-js/extra-typings';
import { withConnectionOptions, withInventoryOptions, withSettingsOptions } from './options.js';
import { runAction } from './exit.js';
import type { CliRunOptions } from './run-and-report.js';
import type { TargetOptions } from './targets.js';

interface RenderCliOptions extends CliRunOptions, TargetOptions {
  out: string;
  offline: boolean;
  showSecrets: boolean;
}

export function registerRenderCommand(program: Command): void {
  const command = program
    .command('render')
    .description('write every file the roles would write on a host into a local directory (secrets masked; changes nothing)')
    .argument('[target]', '[user@]host[:port] or an ~/.ssh/config alias; or one host of an inventory with -i and --limit')
    .requiredOption('--out <dir>', 'directory to write into (DIR/etc/nginx/nginx.conf, ...): new, empty, or an earlier render')
    .option('--offline', 'do not connect: render without the host\'s facts (ENCODEUR_VIDEO=auto is rendered as libx264)', false)
    .option('--show-secrets', 'write stream keys in clear (those files are 0600); otherwise they are masked', false);
  withInventoryOptions(command);
  withSettingsOptions(command);
  withConnectionOptions(command);
  command.addHelpText(
    'after',
    `
By default the host's facts are read first (one round trip, like provision), so that what depends
on the host (the encoder auto picks) is what provision would write. DIR/.orbis-render.json lists
each file's role, mode and owner on the Pi; rendering again into DIR removes files no longer
rendered. --offline contacts nothing: a host of an inventory (-i, --limit) still gets its inventory
settings.

Examples:
  orbis render pi@raspberrypi.local --out /tmp/pi
  orbis render -i inventory/fleet.yaml --limit salon --offline --out render/salon
  orbis render pi@10.0.0.12 --roles nginx-rtmp --show-secrets --out /tmp/pi && diff -r /tmp/pi/etc/nginx old/

Exit codes: 0 written, 1 failure (settings, host unreachable, DIR not a render).`,
  );
  command.action(async (target, parsed, cmd) => {
    // The shared options are added by helper functions, which the typed builder cannot follow.
    const o = parsed as unknown as RenderCliOptions;
    await runAction('render', async () => {
      const [{ oneHost, withConnection }, { probeFacts }, { buildDesired }, { renderedFiles, writeRendered }, { ORBIS_VERSION }] = await Promise.all([
        import('./one-host.js'),
        import('../engine/run.js'),
        import('../roles/desired.js'),
        import('../render/output.js'),
        import('../version.js'),
      ]);
      const host = await oneHost('render', target, { ...o, confExplicit: cmd.getOptionValueSource('conf') === 'cli' });
      for (const issue of host.missingKeys) process.stderr.write(`warning: ${issue} (provision would refuse)\n`);
      const facts = o.offline ? null : await withConnection(host, (transport) => probeFacts(transport, host));
      const desired = buildDesired(host.roles, host.contextFor(facts), host.renderer);
      if (o.offline && host.loaded.settings.ENCODEUR_VIDEO === 'auto' && host.roles.some((r) => r.spec.name === 'ffmpeg' || r.spec.name === 'orbis-service')) {
        process.stderr.write('note: --offline: ENCODEUR_VIDEO=auto is rendered as libx264; a Pi 4 with the hardware encoder gets h264_v4l2m2m (render without --offline, or set ENCODEUR_VIDEO)\n');
      }
      const written = writeRendered(o.out, renderedFiles(desired), {
        host: host.host.name,
        orbisVersion: ORBIS_VERSION,
        showSecrets: o.showSecrets,
        secretValues: host.secrets,
      });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ host: host.host.name, out: o.out, offline: o.offline, roles: desired.roles, files: written }, null, 2)}\n`);
      } else {
        const rows = written.map((w) => `${w.mode}  ${`${w.owner}:${w.group}`.padEnd(12)}  ${w.role.padEnd(13)}  ${w.path}${w.masked ? '  (stream keys masked)' : w.secret ? '  (stream keys in clear, local copy 0600)' : ''}`);
        process.stdout.write(`${rows.join('\n')}\n${written.length} file${written.length === 1 ? '' : 's'} of ${desired.roles.join(', ')} written under ${o.out}${o.offline ? ' (offline: no facts from the host)' : ''}\n`);
      }
      return 0;
    });
  });
}
