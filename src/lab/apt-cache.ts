// One apt archive cache shared by every lab host, so the ~180 MB of the streaming stack is
// downloaded once per machine, not once per host.
//
// Not a plain shared bind mount: apt takes a non-blocking lock on /var/cache/apt/archives/lock,
// so two hosts installing at once (a fleet provisioned in parallel) would fail with "Could not
// get lock /var/cache/apt/archives/lock" (seen here). Instead each host's archives directory is
// an overlay whose lower layer is the shared cache: a host sees every package already there,
// downloads and locks in its own upper layer, and the packages it downloaded join the shared
// cache when the host is removed.
import { copyFile, mkdir, readdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cachePath } from './cache.js';
import { mountOverlay } from './mounts.js';
import type { Bind } from './nspawn.js';

export function sharedAptArchives(): string {
  return cachePath('apt-archives');
}

export interface HostAptCache {
  upper: string;
  work: string;
  merged: string;
}

export function hostAptCache(hostDir: string): HostAptCache {
  return { upper: join(hostDir, 'apt-upper'), work: join(hostDir, 'apt-work'), merged: join(hostDir, 'apt-archives') };
}

/** Mount the host's archives overlay; returns the bind to give systemd-nspawn. */
export async function mountHostAptCache(hostDir: string): Promise<Bind> {
  const shared = sharedAptArchives();
  await mkdir(shared, { recursive: true });
  const dirs = hostAptCache(hostDir);
  await mountOverlay({ lowers: [shared], upper: dirs.upper, work: dirs.work, target: dirs.merged });
  return { source: dirs.merged, target: '/var/cache/apt/archives' };
}

/**
 * Move the .deb files a host downloaded into the shared cache (after its overlay is
 * unmounted). Whiteouts (packages the host deleted) are not regular files and are skipped.
 */
export async function harvestHostAptCache(hostDir: string): Promise<number> {
  const { upper } = hostAptCache(hostDir);
  const shared = sharedAptArchives();
  const names = await readdir(upper).catch(() => [] as string[]);
  let moved = 0;
  for (const name of names) {
    if (!name.endsWith('.deb')) continue;
    const from = join(upper, name);
    const info = await stat(from).catch(() => undefined);
    if (!info?.isFile() || info.size === 0) continue;
    if (await stat(join(shared, name)).catch(() => undefined)) continue;
    // Temp name + rename: a host mounting the cache meanwhile never sees half a package.
    const temp = join(shared, `.${name}.${process.pid}.tmp`);
    try {
      await rename(from, temp);
    } catch {
      await copyFile(from, temp); // the lab dir and the cache may be on different filesystems
    }
    await rename(temp, join(shared, name));
    moved++;
  }
  return moved;
}
