// A lock file shared by every process working on one lab or cache entry (the CLI, vitest's
// global setup, test workers). The holder's pid is inside: a lock whose holder is dead is
// stale (a killed run) and is taken over instead of blocking forever.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError, sleep } from './exec.js';

export interface LockOptions {
  timeoutMs?: number;
  /** What the lock protects, for the timeout message. */
  what?: string;
}

export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  await acquire(path, options);
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function acquire(path: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    // An empty file is a holder that has created it but not yet written its pid: wait.
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LabError(
        `timed out waiting for the lock on ${options.what ?? path} (held by pid ${holder || 'unknown'})`,
        `another orbis lab command is running; wait for it, or remove ${path} if that process is gone`,
      );
    }
    await sleep(150);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
