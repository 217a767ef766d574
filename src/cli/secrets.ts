// `orbis secrets init|edit|encrypt|decrypt|list|rekey`: the encrypted secrets file (age) that
// stream keys can live in instead of clear-text files. The work is in src/secrets, loaded only
// when a subcommand runs; this file parses options, asks on the terminal, prints.
import { Option, type Command } from '@commander-js/extra-typings';
import { formatIssue, type ConfigIssue } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { runAction } from './exit.js';

interface FileOptions {
  file: string;
  identity?: string;
}

const FILE_HELP = 'the encrypted secrets file';
const IDENTITY_HELP = 'identity file (default: $ORBIS_SECRETS_IDENTITY, else ~/.config/orbis/identity.txt)';

export function registerSecretsCommand(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('keep stream keys in an encrypted secrets file (age) that the inventory refers to by name');
  secrets.addHelpText(
    'after',
    `
Files:
  conf/secrets.age         the secrets, encrypted (age, ASCII armor): safe to commit
  conf/secrets.recipients  the public keys it is encrypted to, one a line (age -R): commit it
  ~/.config/orbis/identity.txt
                           your private key (0600), in clear or protected by a passphrase;
                           or --identity FILE, or ORBIS_SECRETS_IDENTITY=FILE. Never commit it.
The passphrase is asked on the terminal only (never from the environment or the command line).

Inside, one secret per line:  salon_dlive: abc123...
The inventory uses it by name:  DLIVE_CLE_FLUX: { secret: salon_dlive }

The age CLI opens the same files:  age -d -i ~/.config/orbis/identity.txt conf/secrets.age

Examples:
  orbis secrets init                    # identity (if none) + empty conf/secrets.age
  orbis secrets init --passphrase       # the new identity protected by a passphrase
  orbis secrets edit                    # in $VISUAL / $EDITOR / vi; re-encrypted on save
  orbis secrets list                    # names only
  orbis secrets encrypt keys.yaml -o conf/secrets.age
  orbis secrets decrypt --reveal        # prints every value: only when you mean it
  orbis secrets add-recipient --new-identity /media/usb/backup.txt   # a backup identity`,
  );

  secrets.command('init').description('create an identity (when there is none) and an empty encrypted secrets file')
    .addOption(fileOption())
    .addOption(identityOption())
    .option('--passphrase', 'protect the new identity with a passphrase (asked twice on the terminal)', false)
    .addHelpText('after', '\nNever replaces an existing identity or secrets file.\n\nExamples:\n  orbis secrets init\n  orbis secrets init --passphrase --identity ~/keys/orbis.age')
    .action(async (options) => {
      await runAction('secrets init', async () => {
        const { initSecrets } = await import('../secrets/index.js');
        return print(await initSecrets({ ...common(options), ...(options.passphrase ? { newPassphrase: askNewPassphrase } : {}) }));
      });
    });

  secrets.command('edit').description('decrypt into a private temporary file, open $VISUAL/$EDITOR/vi, check and re-encrypt')
    .addOption(fileOption())
    .addOption(identityOption())
    .addHelpText('after', `
The clear text lives only in a fresh 0700 directory (in /dev/shm when there is one), as a 0600
file removed when the editor returns, whatever happens. Invalid text (a bad name, an empty value,
YAML that is not "name: value") is shown with its line:col, and you may edit again; nothing is
written unless the text is valid and changed.

Examples:
  orbis secrets edit
  EDITOR='code --wait' orbis secrets edit --file conf/secrets.age`)
    .action(async (options) => {
      await runAction('secrets edit', async () => {
        const { editSecrets } = await import('../secrets/index.js');
        // vi with no terminal would hang or scribble: without one, the editor must be named.
        if (!process.stdin.isTTY && !process.env['VISUAL'] && !process.env['EDITOR']) {
          throw new Error('no terminal for vi: set EDITOR (or VISUAL) to an editor that works without one');
        }
        // On a terminal, problems are shown and the user may edit again; otherwise they are the error.
        const result = await editSecrets({ ...common(options), ...(process.stdin.isTTY ? { confirm: askYes, report: (issues) => reportIssues(issues) } : {}) });
        reportIssues(result.warnings, 'warning: ');
        process.stderr.write(result.changed ? `saved: ${result.names.length} secret(s) in ${options.file}\n` : `no changes: ${options.file} left as it was\n`);
        return 0;
      });
    });

  secrets.command('encrypt').description('encrypt a clear "name: value" file into an age file').argument('<plain>', 'the clear file')
    .addOption(fileOption())
    .addOption(identityOption())
    .option('-o, --output <file>', 'the encrypted file to write (default: <plain>.age)')
    .option('--force', 'replace the output when it exists', false)
    .addHelpText('after', `
Encrypts to the recipients file beside the output (conf/secrets.recipients for conf/secrets.age),
or else to your identity's public key. Delete the clear file afterwards (shred -u FILE).

Examples:
  orbis secrets encrypt keys.yaml -o conf/secrets.age
  orbis secrets encrypt site-b.yaml          # writes site-b.yaml.age`)
    .action(async (plain, options) => {
      await runAction('secrets encrypt', async () => {
        const { encryptSecretsFile } = await import('../secrets/index.js');
        return print(await encryptSecretsFile(plain, { ...common(options), ...(options.output === undefined ? {} : { output: options.output }), force: options.force }));
      });
    });

  secrets.command('decrypt').description('print the decrypted secrets (needs --reveal: every value is shown)')
    .addOption(fileOption())
    .addOption(identityOption())
    .option('--reveal', 'yes, show every secret in clear', false)
    .option('-o, --output <file>', 'write to this new file (mode 0600) instead of stdout')
    .addHelpText('after', `
To see which secrets exist, \`orbis secrets list\` (names only) is enough; to change one,
\`orbis secrets edit\`. decrypt is for migrating or backing up.

Examples:
  orbis secrets decrypt --reveal | less
  orbis secrets decrypt --reveal -o /dev/shm/secrets.yaml`)
    .action(async (options) => {
      await runAction('secrets decrypt', async () => {
        const { decryptSecrets } = await import('../secrets/index.js');
        return print(await decryptSecrets({ ...common(options), reveal: options.reveal, ...(options.output === undefined ? {} : { output: options.output }) }));
      });
    });

  secrets.command('list').description('list the names of the secrets (never their values)')
    .addOption(fileOption())
    .addOption(identityOption())
    .option('--json', 'print { file, identity, names } as JSON', false)
    .addHelpText('after', '\nExamples:\n  orbis secrets list\n  orbis secrets list --json --identity ~/keys/ci.txt')
    .action(async (options) => {
      await runAction('secrets list', async () => {
        const { listSecrets } = await import('../secrets/index.js');
        return print(await listSecrets({ ...common(options), json: options.json }));
      });
    });

  secrets.command('add-recipient').description('let a second key open the secrets: a backup identity made now, or someone\'s public key')
    .argument('[public-key]', 'an age public key (age1...), as `age-keygen -y IDENTITY` prints it')
    .addOption(fileOption())
    .addOption(identityOption())
    .option('--new-identity <file>', 'create a new identity at FILE (never over an existing one) and add its public key')
    .option('--passphrase', 'protect the new identity with a passphrase (asked twice on the terminal)', false)
    .addHelpText('after', `
Every stored key depends on the identity that opens the secrets file: lose the controller and
they are gone. A backup identity, kept off the machine, opens them too. The file is re-encrypted
to the longer list, tried with the new identity, and the public key is added to
conf/secrets.recipients (commit both files).

Examples:
  orbis secrets add-recipient --new-identity /media/usb/orbis-backup.txt --passphrase
  orbis secrets add-recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p`)
    .action(async (publicKey, options) => {
      await runAction('secrets add-recipient', async () => {
        const { addRecipient } = await import('../secrets/index.js');
        return print(await addRecipient({
          ...common(options),
          ...(publicKey === undefined ? {} : { recipient: publicKey }),
          ...(options.newIdentity === undefined ? {} : { newIdentity: options.newIdentity }),
          ...(options.passphrase ? { newPassphrase: askNewPassphrase } : {}),
        }));
      });
    });

  secrets.command('rekey').description('re-encrypt the secrets file to the recipients file as it is now')
    .addOption(fileOption())
    .addOption(identityOption())
    .addHelpText('after', '\nAfter adding or removing a public key in conf/secrets.recipients.\n\nExample:\n  orbis secrets rekey')
    .action(async (options) => {
      await runAction('secrets rekey', async () => {
        const { rekeySecrets } = await import('../secrets/index.js');
        return print(await rekeySecrets(common(options)));
      });
    });
}

function fileOption() {
  return new Option('-f, --file <file>', FILE_HELP).default('conf/secrets.age');
}

function identityOption() {
  return new Option('-i, --identity <file>', IDENTITY_HELP);
}

function common(options: FileOptions) {
  return {
    file: options.file,
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    // Without a terminal there is no one to ask: the loader then says what to do instead.
    ...(process.stdin.isTTY ? { askPassphrase: askPassphrase } : {}),
  };
}

async function askPassphrase(question: string): Promise<Secret> {
  const { askHidden } = await import('./prompt.js');
  return askHidden(question);
}

async function askNewPassphrase(): Promise<Secret> {
  const { ConfigError } = await import('../config/errors.js');
  const fail = (message: string, hint: string): never => {
    throw new ConfigError([{ source: '--passphrase', message, hint }]);
  };
  if (!process.stdin.isTTY) fail('needs a terminal to ask the passphrase on', 'run it from a terminal, or without --passphrase (the identity is then a 0600 key file)');
  const first = await askPassphrase('New passphrase for the identity: ');
  if (first.reveal().length < 8) fail('the passphrase is shorter than 8 characters', 'choose a longer one: it is all that protects the identity if the file leaks');
  const again = await askPassphrase('Same passphrase again: ');
  if (again.reveal() !== first.reveal()) fail('the two passphrases differ', 'run it again');
  return first;
}

async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^\s*(y|yes|)\s*$/i.test(await rl.question(question));
  } finally {
    rl.close();
  }
}

// Written at once (not after a lazy import): the problems must show before "Edit again?".
function reportIssues(issues: readonly ConfigIssue[], prefix = ''): void {
  for (const issue of issues) process.stderr.write(`${prefix}${formatIssue(issue)}\n`);
}

function print(output: { stdout: string; stderr: string }): number {
  process.stderr.write(output.stderr);
  process.stdout.write(output.stdout);
  return 0;
}
