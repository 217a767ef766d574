// Shared by the config tests: where the fixtures are, and a way to catch a ConfigError.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../../src/config/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
export const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'conf', name);
export const readFixture = (name: string): string => readFileSync(fixture(name), 'utf8');

/**
 * Upstream's conf/orbis.conf is upstream's text, so it is not copied into this repository: the
 * tests read it from the shared reference folder beside the checkout (or ORBIS_UPSTREAM_CONF).
 */
export const upstreamConfPath = process.env['ORBIS_UPSTREAM_CONF'] ?? join(repoRoot, '..', 'shared', 'reference', 'upstream-orbis.conf');
export const haveUpstreamConf = existsSync(upstreamConfPath);

/** Run `fn`, which must throw a ConfigError, and return it. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}
