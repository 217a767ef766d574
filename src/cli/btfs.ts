// `orbis btfs pin`: download the pinned go-btfs release on this machine for each architecture,
// check it, show its sha256 and, with consent, write BTFS_SHA256_<ARCH> into conf/orbis.conf.
// The work is in src/btfs-release, loaded only when the command runs.
import type { Command } from '@commander-js/extra-typings';
import { EXIT_CHANGES, EXIT_FAILED, EXIT_OK, runAction } from './exit.js';

export function registerBtfsCommand(program: Command): void {
  const btfs = program
    .command('btfs')
    .description('the go-btfs release orbis installs on the Pis: pin its checksum');
  btfs.addHelpText(
    'after',
    `
orbis installs no download it cannot check: BTFS_SHA256_ARM64 / BTFS_SHA256_AMD64 in
conf/orbis.conf pin the release file of BTFS_VERSION for each architecture (docs/btfs.md).

Examples:
  orbis btfs pin
  orbis btfs pin --arch arm64,amd64 --yes`,
  );

  btfs
    .command('pin')
    .description("download the release for each architecture, check it, and write its sha256 into conf/orbis.conf")
    .option('--arch <list>', 'Debian architectures, comma-separated: arm64 (a Pi), amd64 (test machines, the lab)', 'arm64')
    .option('--url <template>', 'download from this URL template instead ({version}, {arch} filled in; e.g. a mirror); written into the conf too')
    .option('--conf <file>', 'the settings file to read and write', 'conf/orbis.conf')
    .option('--yes', 'write without asking', false)
    .option('--replace', 'pin a file whose sha256 differs from the one already pinned', false)
    .option('--timeout <seconds>', 'give up on a download that sends nothing for this long', '30')
    .option('--json', 'print one JSON report on stdout (progress on stderr)', false)
    .addHelpText(
      'after',
      `
For each architecture: downloads BTFS_URL_TELECHARGEMENT ({version} = BTFS_VERSION) on this
machine, shows its size and sha256, and checks what go-btfs's release carries: in a tar (plain
or gzipped, told by content), the executable's md5 against config_linux_<arch>.yaml and that
file's version against BTFS_VERSION; the executable's ELF architecture. Then writes
BTFS_SHA256_<ARCH> (and BTFS_URL_TELECHARGEMENT with --url) into the conf, changing only those
lines (comments, order and mode 0600 kept; a missing line is added).

Asks before writing on a terminal; --yes writes without asking. Without a terminal and without
--yes it prints what it would write and writes nothing (exit 2).
A sha256 already pinned that differs from the download is refused with both hashes (the file
changed upstream, or the URL now leads elsewhere); --replace pins the new one.
Nothing is written when any architecture fails. The conf is read alone (not ORBIS_* nor --var).

Pis are arm64, the default. The lab and amd64 test machines need amd64 too: --arch arm64,amd64.
No access to GitHub: copy the release files to a server you reach and give --url.

Examples:
  orbis btfs pin
  orbis btfs pin --arch arm64,amd64
  orbis btfs pin --yes --json
  orbis btfs pin --url 'http://mirror.lan/btfs/v{version}/btfs-linux-{arch}.tar'
  orbis btfs pin --arch amd64 --replace --conf conf/lab.conf

Exit codes: 0 pinned (or already pinned), 1 failed or refused (nothing written), 2 not written
(no consent: no terminal and no --yes, or the answer was no).`,
    )
    .action(async (options) => {
      await runAction('btfs pin', async () => {
        const [{ checkUrlTemplate, parseArches, planPins, previewPins, writePins }, { planJson, planText, writeLines }, { ConfigError }] = await Promise.all([
          import('../btfs-release/pin.js'),
          import('../btfs-release/text.js'),
          import('../config/errors.js'),
        ]);
        const arches = parseArches(options.arch);
        const timeout = Number(options.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0) throw new ConfigError([{ source: '--timeout', message: `"${options.timeout}" is not a number of seconds`, hint: 'e.g. --timeout 60' }]);
        const url = options.url === undefined ? undefined : checkUrlTemplate(options.url, '--url');
        const plan = await planPins({
          conf: options.conf,
          cwd: process.cwd(),
          arches,
          ...(url !== undefined ? { url } : {}),
          replace: options.replace,
          idleTimeoutMs: timeout * 1000,
          env: process.env,
          progress: (line) => process.stderr.write(`${line}\n`),
        });
        const say = (lines: string[]) => {
          if (lines.length > 0) (options.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
        };
        const report = (written: boolean, changes: Parameters<typeof planJson>[2] = []) => {
          if (options.json) process.stdout.write(`${JSON.stringify(planJson(plan, written, changes), null, 2)}\n`);
        };
        say(planText(plan));
        if (!plan.ok) {
          say([`nothing written to ${plan.conf}`]);
          report(false);
          return EXIT_FAILED;
        }
        if (plan.writes.length === 0) {
          say([`${plan.conf} already pins ${arches.join(' and ')}: nothing to write`]);
          report(false);
          return EXIT_OK;
        }
        const preview = previewPins(plan);
        say([`To write into ${plan.conf}:`, ...writeLines(plan, plan.writes, preview)]);
        if (!options.yes) {
          if (process.stdin.isTTY !== true) {
            say(['not written: no terminal to ask on; run it again with --yes to write these lines']);
            report(false, preview);
            return EXIT_CHANGES;
          }
          const { askLine } = await import('./prompt.js');
          const answer = await askLine(`Write ${plan.writes.length === 1 ? 'this line' : 'these lines'} into ${plan.conf}? (y/N)`, 'n');
          if (!/^y(es)?$/i.test(answer)) {
            say(['not written']);
            report(false, preview);
            return EXIT_CHANGES;
          }
        }
        const changes = writePins(plan, process.cwd());
        say([`wrote ${plan.conf} (mode 0600): ${changes.map((c) => `${c.key} (line ${c.line}${c.added ? ', new' : ''})`).join(', ')}`]);
        report(true, changes);
        return EXIT_OK;
      });
    });
}
