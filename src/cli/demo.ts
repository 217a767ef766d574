// `orbis demo`: see orbis work end to end on this machine, with nothing but a fresh clone:
// a lab Pi provisioned, verified, and streaming to stand-in DLive and Kick. The work is in
// src/demo; this file parses options and prints.
import type { Command } from '@commander-js/extra-typings';
import { DEMO_LAB_NAME, DEMO_LAB_SUBNET, DEMO_LOG_DIR } from '../demo/config.js';
import { runAction } from './exit.js';

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 600) throw new Error(`--watch takes a whole number of seconds from 1 to 600, not "${value}"`);
  return n;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('see orbis work on this machine: a lab Pi provisioned, verified and streaming to stand-in DLive and Kick, then removed')
    .option('--keep', 'leave the lab up at the end (the Pi keeps streaming) and print how to look around', false)
    .option('--name <name>', 'lab name (an earlier lab of that name is replaced)', DEMO_LAB_NAME)
    .option('--subnet <cidr>', 'lab subnet, a private network this machine does not use', DEMO_LAB_SUBNET)
    .option('--no-install', 'do not apt-get install missing Debian packages: name them and stop')
    .option('--watch <seconds>', 'how long to watch the recordings grow', seconds, 5)
    .option('--json', 'print one JSON report on stdout (the story goes to stderr)', false)
    .option('--verbose', 'show every step\'s whole output as it comes (apt-get, the lab, orbis provision) instead of one live line a step', false)
    .addHelpText(
      'after',
      `
What it does (about 2 minutes once the lab's caches are built; the first run builds them):
  1. installs the Debian packages the lab needs (debootstrap, systemd-container, iptables, ...;
     a Pi of this machine's architecture: no cross-compiler, no qemu)
  2. boots a lab: a Pi-like Debian host and a stand-in internet (DLive, Kick over TLS, BTFS)
  3. provisions the Pi (orbis provision, with its verify step): a small stream to both
     platforms, throwaway demo keys that are never shown, BTFS from the lab's stand-in release
  4. shows the stream arriving: the stand-in platforms' recordings, growing
  5. removes the lab, unless --keep; Ctrl-C removes it at any point

A line per step; while one runs, a line shows what it is at (rewritten in place on a terminal,
every 10 s otherwise). Each run's whole output is kept in ${DEMO_LOG_DIR}/NAME-TIME.log
(the demo prints its path); --verbose shows it as it comes.

Needs root (containers, network namespaces, iptables) on Debian bookworm or a derivative.
Nothing leaves this machine but apt's traffic to the Debian mirror.

Examples:
  sudo orbis demo                   # \`npm run demo\` builds orbis, then runs this
  sudo orbis demo --keep            # and leave the lab up to look around
  sudo orbis demo --json > demo.json

Exit codes: 0 the stream reached both platforms, 1 something failed (the lab is removed
unless --keep), 128+N when stopped by signal N (the lab is removed).`,
    )
    .action(async (options) => {
      await runAction('demo', async () => {
        const [{ runDemo }, { formatSummary }, { orbisCommandWords }, { LiveLine }, { demoLogFile }] = await Promise.all([
          import('../demo/run.js'),
          import('../demo/report.js'),
          import('./self.js'),
          import('../demo/live-line.js'),
          import('../demo/config.js'),
        ]);
        const toStderr = (text: string) => process.stderr.write(`${text}\n`);
        const story = options.json ? process.stderr : process.stdout;
        const say = (text: string) => story.write(`${text}\n`);
        const live = new LiveLine({ tty: story.isTTY === true, write: (text) => story.write(text), columns: story.columns, indent: '      ' });
        const cli = orbisCommandWords();
        say('orbis demo: a lab Pi provisioned, verified and streaming to stand-in DLive and Kick, all on this machine.');
        const report = await runDemo({
          name: options.name,
          subnet: options.subnet,
          keep: options.keep,
          install: options.install,
          watchSeconds: options.watch,
          say,
          log: toStderr,
          cli,
          logFile: demoLogFile(options.name),
          verbose: options.verbose,
          live,
        });
        say('');
        say(formatSummary(report, cli).trimEnd());
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
      });
    });
}
