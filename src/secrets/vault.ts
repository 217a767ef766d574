// Opening the secrets file for the rest of orbis. Lazy: nothing is read, and no passphrase is
// asked, until something refers to a secret; then the file is decrypted once per run.
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import type { Secret } from '../redact/secret.js';
import { AgeDecryptError, decryptAge } from './age-file.js';
import { parseSecretsText } from './document.js';
import { readIdentity, type AskPassphrase, type LoadedIdentity } from './identity.js';
import { DEFAULT_SECRETS_FILE, IDENTITY_ENV, identityPath, recipientsPathFor, type Env } from './locations.js';

export interface SecretsOptions {
  /** The encrypted file. Default: conf/secrets.age. */
  file?: string;
  /** The identity file (--identity). Default: $ORBIS_SECRETS_IDENTITY, then ~/.config/orbis/identity.txt. */
  identity?: string;
  /** For ORBIS_SECRETS_IDENTITY, HOME and XDG_CONFIG_HOME. Default: process.env. */
  env?: Env;
  /** Asked when the identity is passphrase-protected; without it such an identity is an error. */
  askPassphrase?: AskPassphrase;
}

/** The decrypted file: its clear text (for edit and decrypt) and the identity that opened it. */
export interface OpenedSecrets {
  file: string;
  text: string;
  identity: LoadedIdentity;
  secrets: Map<string, Secret>;
}

export class SecretsFile {
  readonly path: string;
  readonly identityPath: string;
  readonly recipientsPath: string;
  #opened: Promise<OpenedSecrets> | undefined;

  constructor(private readonly options: SecretsOptions = {}) {
    this.path = options.file ?? DEFAULT_SECRETS_FILE;
    this.identityPath = identityPath(options.identity, options.env ?? process.env);
    this.recipientsPath = recipientsPathFor(this.path);
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  /** The named secrets; decrypts on the first call only. */
  async load(): Promise<Map<string, Secret>> {
    return (await this.open()).secrets;
  }

  open(): Promise<OpenedSecrets> {
    this.#opened ??= openSecretsFile(this.path, this.identityPath, this.options.askPassphrase);
    return this.#opened;
  }
}

/** No I/O until `load()`: pass it around freely. */
export function openSecrets(options: SecretsOptions = {}): SecretsFile {
  return new SecretsFile(options);
}

export async function loadSecrets(options: SecretsOptions = {}): Promise<Map<string, Secret>> {
  return openSecrets(options).load();
}

async function openSecretsFile(path: string, identityFile: string, askPassphrase: AskPassphrase | undefined): Promise<OpenedSecrets> {
  const bytes = readSecretsBytes(path);
  const identity = await readIdentity(identityFile, askPassphrase === undefined ? {} : { askPassphrase });
  let text: string;
  try {
    text = await decryptAge(bytes, { identities: identity.keys });
  } catch (error) {
    if (!(error instanceof AgeDecryptError)) throw error;
    throw new ConfigError([decryptIssue(error, path, identityFile)]);
  }
  const parsed = parseSecretsText(text, path);
  if (parsed.issues.length > 0) {
    const withEdit = parsed.issues.map((issue) => ({ ...issue, hint: `${issue.hint ?? 'fix it'}, with \`orbis secrets edit\`` }));
    throw new ConfigError(withEdit, parsed.entries.map((e) => e.value));
  }
  const secrets = new Map(parsed.entries.map((e) => [e.name, e.value] as const));
  return { file: path, text, identity, secrets };
}

function readSecretsBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT';
    throw new ConfigError([{
      file: path,
      message: missing ? 'no such secrets file' : `the secrets file cannot be read (${code ?? 'error'})`,
      hint: missing ? 'create it with `orbis secrets init`, or name the file that exists' : 'check its permissions',
    }]);
  }
}

function decryptIssue(error: AgeDecryptError, path: string, identityFile: string) {
  switch (error.failure) {
    case 'not-age':
      return { file: path, message: 'is not an age encrypted file', hint: 'a secrets file is made by `orbis secrets init` or `orbis secrets encrypt FILE`' };
    case 'corrupt':
      return { file: path, message: 'is damaged: its age header or content does not check out', hint: 'restore it from git (git checkout -- FILE) or your backup' };
    case 'no-match':
      return {
        file: path,
        message: `was not encrypted to the identity ${identityFile}`,
        hint: `use the identity it was encrypted to (--identity FILE or ${IDENTITY_ENV}=FILE), or have someone who can open it add your public key to ${recipientsPathFor(path)} and run \`orbis secrets rekey\``,
      };
  }
}

/** The shape the inventory resolves `{ secret: NAME }` through (src/inventory/references.ts). */
export interface NamedSecretStore {
  describe: string;
  get(name: string): string | undefined;
}

/**
 * A store for the inventory, decrypting only when `names` (the `{ secret: NAME }` references of
 * the hosts at hand) is not empty; undefined otherwise, so a run without such references never
 * asks for a passphrase nor needs the file.
 */
export async function secretStoreFor(names: Iterable<string>, file: SecretsFile): Promise<NamedSecretStore | undefined> {
  if ([...names].length === 0) return undefined;
  const secrets = await file.load();
  return { describe: file.path, get: (name) => secrets.get(name)?.reveal() };
}
