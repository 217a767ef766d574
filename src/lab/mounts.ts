// Overlay mounts for host roots, and finding/unmounting every mount under a directory (the
// teardown of a killed run knows no mount list but /proc/self/mountinfo).
import { mkdir, readFile, rm } from 'node:fs/promises';
import { LabError, run, runAllowFailure } from './exec.js';

export interface OverlayDirs {
  /** Read-only layers, topmost first (overlayfs order). */
  lowers: readonly string[];
  upper: string;
  work: string;
  target: string;
}

export async function mountOverlay(dirs: OverlayDirs): Promise<void> {
  await Promise.all([dirs.upper, dirs.work, dirs.target].map((d) => mkdir(d, { recursive: true })));
  const options = `lowerdir=${dirs.lowers.join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`;
  await run('mount', ['-t', 'overlay', 'overlay', '-o', options, dirs.target], {
    hint: 'the lab needs overlayfs (modprobe overlay) and the upper/work dirs on a filesystem that supports it (ext4, xfs)',
  });
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescapeMountPath)
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmount everything at or below `dir`; a busy mount is detached lazily rather than left. */
export async function unmountUnder(dir: string): Promise<void> {
  // Repeat: a path can carry stacked mounts, and a lazy detach can reveal one beneath.
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      const result = await runAllowFailure('umount', [point]);
      if (result.exitCode !== 0) await runAllowFailure('umount', ['-l', point]);
    }
  }
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * `rm -rf` that refuses to cross into a mount: a host directory can hold bind mounts of shared
 * caches, and deleting through one would wipe the cache instead of the host.
 */
export async function removeTree(dir: string): Promise<void> {
  await unmountUnder(dir);
  const left = await mountsUnder(dir);
  if (left.length > 0) {
    throw new LabError(
      `cannot remove ${dir}: still mounted: ${left.join(', ')}`,
      'a process may still use it; run `orbis lab down` again, or unmount it by hand',
    );
  }
  await rm(dir, { recursive: true, force: true });
}
