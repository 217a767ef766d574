// Build-once cache entries outside the checkout (ORBIS_LAB_CACHE, default /var/cache/orbis-lab):
// a directory named after a hash of its recipe, built under a lock into `<dir>.partial` and
// renamed into place only when complete, so a killed build is never mistaken for a good one.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { labCacheDir } from './config.js';
import { withLock } from './lock.js';
import { removeTree } from './mounts.js';

const STAMP = '.orbis-lab-complete';

export function cachePath(...parts: string[]): string {
  return join(labCacheDir(), ...parts);
}

export function recipeHash(...inputs: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input).update('\0');
  return hash.digest('hex').slice(0, 12);
}

export interface CacheBuild {
  /** What is being built, for logs. */
  what: string;
  log?: (message: string) => void;
}

/**
 * Return `dir`, building it first with `build(partialDir)` unless a complete copy exists.
 * `build` must leave everything it wants kept inside `partialDir` and no mounts behind.
 */
export async function ensureCached(
  dir: string,
  options: CacheBuild,
  build: (partialDir: string) => Promise<void>,
): Promise<string> {
  if (existsSync(join(dir, STAMP))) return dir;
  await mkdir(dirname(dir), { recursive: true });
  return withLock(
    `${dir}.lock`,
    async () => {
      if (existsSync(join(dir, STAMP))) return dir; // built by another process meanwhile
      const partial = `${dir}.partial`;
      await removeTree(partial);
      await removeTree(dir); // an incomplete entry without its stamp
      await mkdir(partial, { recursive: true });
      const started = Date.now();
      options.log?.(`building ${options.what} (cached in ${dir})`);
      try {
        await build(partial);
      } catch (error) {
        await removeTree(partial).catch(() => undefined);
        throw error;
      }
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      await writeFile(join(partial, STAMP), `${JSON.stringify({ what: options.what, seconds, builtAt: new Date().toISOString() })}\n`);
      await rename(partial, dir);
      options.log?.(`built ${options.what} in ${seconds} s`);
      return dir;
    },
    { what: `the cache entry ${dir}`, timeoutMs: 60 * 60_000 },
  );
}

/** How long a cache entry took to build, as recorded at the time. */
export async function cachedBuildSeconds(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, STAMP), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  return (JSON.parse(text) as { seconds?: number }).seconds;
}
