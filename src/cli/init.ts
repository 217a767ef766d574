// `orbis init`: write conf/orbis.conf and an inventory for one Pi, asking on a terminal what the
// flags did not say. Stream keys never come from the command line: they are typed (hidden), or
// read from an environment variable named by a flag, or from stdin. The work is in src/init.
import { Option, type Command } from '@commander-js/extra-typings';
import type { InitResult } from '../init/run.js';
import { shCommand } from '../util/shell.js';
import { runAction } from './exit.js';

const STORE_TEXT: Record<InitResult['store'], string> = {
  conf: 'in it',
  secrets: 'in the encrypted secrets file (see the inventory)',
  env: 'read from the environment (see the inventory)',
};

/** What became of BTFS's checksum: the sha256 written (and why without asking), or why not. */
function pinLines(result: InitResult): string[] {
  const pin = result.pin;
  if (pin.status === 'skipped') return ['BTFS not pinned (--no-pin): pin it before provisioning (see Next)'];
  if (pin.status === 'failed') {
    return [...pin.lines, `BTFS not pinned: ${result.conf} and ${result.inventory} are written and stay as they are; pin it once the download works (see Next)`];
  }
  return [
    ...pin.lines,
    `pinned in ${result.conf} (init writes its own new file: running it was the consent):`,
    ...pin.written.map((w) => `  line ${w.line}: ${w.variable}="${w.sha256}"`),
  ];
}

export function formatInitResult(result: InitResult, cli: readonly string[]): string {
  const names = result.keys.map((p) => (p === 'dlive' ? 'DLive' : 'Kick'));
  const keys = names.length > 0 ? `; the ${names.join(' and ')} key${names.length > 1 ? 's' : ''} ${STORE_TEXT[result.store]}` : '; no stream key yet';
  const lines = [
    `wrote ${result.conf} (mode 0600): PLATEFORMES="${result.platforms}"${keys}`,
    `wrote ${result.inventory}: host ${result.host} at ${result.target}`,
    result.gitignore === 'added'
      ? `added ${result.conf} to .gitignore`
      : result.gitignore === 'ignored'
        ? `${result.conf} is git-ignored`
        : `${result.conf} is outside this directory: keep it out of git yourself`,
    ...pinLines(result),
    ...result.notes,
    '',
    'Next:',
    ...(result.pin.status === 'pinned' ? [] : [`  ${shCommand([...cli, ...result.pin.retry])}    # pin BTFS's sha256 (needed before provisioning)`]),
    ...result.before.map((l) => `  ${l}`),
    `  ${shCommand([...cli, ...(result.next[0] ?? [])])}    # what it would change (nothing changes)`,
    `  ${shCommand([...cli, ...(result.next[1] ?? [])])}    # do it, then verify the Pi streams`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write conf/orbis.conf and an inventory for your Pi (asks on a terminal; flags otherwise)')
    .addOption(new Option('--platforms <which>', 'platforms to stream to').choices(['dlive', 'kick', 'toutes'] as const))
    .option('--host <target>', 'the Pi, as [user@]host[:port] (default pi@raspberrypi.local)')
    .option('--name <name>', "the Pi's name in the inventory (default: from the host, e.g. raspberrypi)")
    .option('--dlive-key-env <NAME>', 'read the DLive stream key from environment variable NAME')
    .option('--kick-key-env <NAME>', 'read the Kick stream key from environment variable NAME')
    .option('--keys-stdin', 'read DLIVE_CLE_FLUX=... and KICK_CLE_FLUX=... lines from stdin', false)
    .addOption(
      new Option('--store <where>', 'where the keys go: conf (clear, 0600, git-ignored), secrets (encrypted, `orbis secrets`), env (nowhere: the inventory names the variables)')
        .choices(['conf', 'secrets', 'env'] as const),
    )
    .option('--conf <file>', 'the settings file to write', 'conf/orbis.conf')
    .option('--inventory-dir <dir>', 'where the inventory file (<name>.yaml) goes', 'inventory')
    .option('--secrets <file>', 'the encrypted secrets file (--store secrets)', 'conf/secrets.age')
    .option('--identity <file>', 'age identity for the secrets file (default: $ORBIS_SECRETS_IDENTITY, ~/.config/orbis/identity.txt; created if none)')
    .option('--force', 'replace existing files (and secrets of the same names)', false)
    .option('--arch <list>', "pin BTFS for these Debian architectures, comma-separated: arm64 (a Pi), amd64 (test machines, the lab)", 'arm64')
    .option('--btfs-url <template>', 'download BTFS from this URL template ({version}, {arch}; e.g. a mirror), written into the conf')
    .option('--no-pin', 'write the files only: do not download BTFS to pin its sha256 (offline; `orbis btfs pin` later)')
    .option('--no-input', 'never ask, even on a terminal: flags and defaults only')
    .option('--json', 'print what was written as JSON (never a key)', false)
    .addHelpText(
      'after',
      `
On a terminal, init asks what the flags did not say: the platforms, each stream key (nothing
is shown as you type), where to keep the keys, and the Pi. Without a terminal (or with
--no-input) the flags and defaults decide: platforms toutes, host pi@raspberrypi.local, store conf.
A key is never a command-line argument: it is typed, or read from an environment variable
named by --dlive-key-env/--kick-key-env, or from stdin with --keys-stdin.

Writes conf/orbis.conf (mode 0600; the documented example with your answers filled in), an
inventory inventory/<name>.yaml, and a conf/orbis.conf line in .gitignore when git does not
ignore it yet. Refuses to replace an existing file without --force.

Then it pins BTFS, as \`orbis btfs pin\` does: downloads the BTFS_VERSION release for each --arch
(arm64 by default; add amd64 for test machines and the lab) on this machine, checks it, and
writes its sha256 (BTFS_SHA256_ARM64, ...) into the conf it just wrote; running init is the
consent to that, and the output shows the sha256. If the download fails, the files stay written
and init says what to run later (exit 1). --no-pin skips it (offline); --btfs-url names a mirror.

Examples:
  orbis init
  orbis init --platforms dlive --host pi@10.0.0.12 --dlive-key-env DLIVE_KEY
  orbis init --keys-stdin --store secrets < keys.txt    # lines DLIVE_CLE_FLUX=... and KICK_CLE_FLUX=...
  orbis init --host pi@salon.local --name salon --store env --dlive-key-env SALON_DLIVE --kick-key-env SALON_KICK
  orbis init --arch arm64,amd64
  orbis init --btfs-url 'http://mirror.lan/btfs/v{version}/btfs-linux-{arch}.tar'
  orbis init --no-pin

Exit codes: 0 written (and BTFS pinned, unless --no-pin), 1 refused or failed (nothing is written
when a check fails; when only pinning BTFS failed, the files are written).`,
    )
    .action(async (options) => {
      await runAction('init', async () => {
        const [{ runInit }, { askHidden, askLine }, { orbisCommandWords }, { parseArches, checkUrlTemplate }] = await Promise.all([
          import('../init/run.js'),
          import('./prompt.js'),
          import('./self.js'),
          import('../btfs-release/pin.js'),
        ]);
        // Checked before a question is asked or a file written.
        const arches = parseArches(options.arch);
        if (options.btfsUrl !== undefined) checkUrlTemplate(options.btfsUrl, '--btfs-url');
        const interactive = process.stdin.isTTY === true && options.input !== false && !options.keysStdin;
        const result = await runInit(
          {
            ...(options.platforms ? { platforms: options.platforms } : {}),
            ...(options.dliveKeyEnv ? { dliveKeyEnv: options.dliveKeyEnv } : {}),
            ...(options.kickKeyEnv ? { kickKeyEnv: options.kickKeyEnv } : {}),
            keysStdin: options.keysStdin,
            ...(options.store ? { store: options.store } : {}),
            ...(options.host !== undefined ? { host: options.host } : {}),
            ...(options.name !== undefined ? { name: options.name } : {}),
            conf: options.conf,
            inventoryDir: options.inventoryDir,
            secrets: options.secrets,
            ...(options.identity ? { identity: options.identity } : {}),
            force: options.force,
            pin: options.pin,
            arches,
            ...(options.btfsUrl !== undefined ? { btfsUrl: options.btfsUrl } : {}),
          },
          {
            ...(interactive ? { asker: { line: askLine, hidden: askHidden, say: (text: string) => process.stderr.write(`${text}\n`) } } : {}),
            env: process.env,
            cwd: process.cwd(),
            readStdin: async () => {
              const chunks: Buffer[] = [];
              for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
              return Buffer.concat(chunks).toString('utf8');
            },
            ...(process.stdin.isTTY ? { askPassphrase: askHidden } : {}),
            progress: (line: string) => process.stderr.write(`${line}\n`),
          },
        );
        if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else process.stdout.write(formatInitResult(result, orbisCommandWords()));
        return result.pin.status === 'failed' ? 1 : 0;
      });
    });
}
