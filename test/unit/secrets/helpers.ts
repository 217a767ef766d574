// Shared by the secrets tests: a scratch directory per test, a home in it, and ways to catch
// errors asynchronously.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { Secret } from '../../../src/redact/secret.js';
import { encryptSecretsFile, initSecrets, type InitOptions } from '../../../src/secrets/commands.js';

/** Values the tests put in secrets files: none may ever appear in an error or output. */
export const DLIVE_KEY = 'dlivekeyAbc123xyz';
export const KICK_KEY = 'sk_us-west-2_KickKey789?x=1';
export const PASSPHRASE = 'correct-horse-battery-staple';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export function scratch(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-secrets-test-')));
  made.push(dir);
  return dir;
}

/** Options for the secrets API rooted in `dir`: its own HOME, file and identity. */
export function placesIn(dir: string) {
  return {
    file: join(dir, 'conf', 'secrets.age'),
    identity: join(dir, 'home', '.config', 'orbis', 'identity.txt'),
    env: { HOME: join(dir, 'home') } as Record<string, string | undefined>,
  };
}

export const answering = (...answers: string[]) => {
  const asked: string[] = [];
  const ask = async (question: string): Promise<Secret> => {
    asked.push(question);
    return new Secret(answers[Math.min(asked.length - 1, answers.length - 1)] ?? '', 'test');
  };
  return { ask, asked };
};

export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection, but it resolved');
}

export async function configErrorOfAsync(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await rejectionOf(promise);
  if (error instanceof ConfigError) return error;
  throw error;
}

/** Neither the message nor the issues' text may hold any of `values`. */
export function expectNoneOf(text: string, values: readonly string[]): void {
  for (const value of values) {
    if (text.includes(value)) throw new Error(`a secret value leaked into: ${text}`);
  }
}

/** A secrets file holding `text`, with a new identity (a key file, or `init`'s other options). */
export async function secretsFileHolding(text: string, init: Omit<InitOptions, 'file' | 'identity' | 'env'> = {}) {
  const dir = scratch();
  const places = placesIn(dir);
  await initSecrets({ ...places, ...init });
  const plain = join(dir, 'plain.yaml');
  writeFileSync(plain, text);
  await encryptSecretsFile(plain, { ...places, output: places.file, force: true });
  return { dir, places };
}
