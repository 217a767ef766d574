// Where clear secrets are put while the user edits them: a fresh 0700 directory holding one 0600
// file, in memory (/dev/shm) when the system has it so no clear secret reaches a disk, and
// removed when editing ends however it ends: success, an error, or SIGTERM/SIGHUP. SIGINT is
// left to the editor (vi uses Ctrl-C itself), as git does while its editor runs.
import type { ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants as os, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopEditor } from './editor.js';

export interface Workspace {
  dir: string;
  file: string;
  /** The editor while it runs: Ctrl-C then belongs to it; SIGTERM/SIGHUP stop it too. */
  editor: ChildProcess | undefined;
}

/** Run `work` with `text` in a private file; the directory is gone when it settles. */
export async function withPrivateFile<T>(text: string, fileName: string, work: (space: Workspace) => Promise<T>, tmpRoot = privateTmpRoot()): Promise<T> {
  const dir = mkdtempSync(join(tmpRoot, 'orbis-secrets-'));
  const space: Workspace = { dir, file: join(dir, fileName), editor: undefined };
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT' && space.editor !== undefined) return;
    // An editor left running would save into a directory that is gone, and lose the edit quietly.
    if (space.editor !== undefined) stopEditor(space.editor);
    remove();
    process.exit(128 + os.signals[signal]); // as a shell reports a death by signal
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    chmodSync(dir, 0o700); // mkdtemp's mode is 0700 already; say it rather than rely on it
    writeFileSync(space.file, text, { mode: 0o600, flag: 'wx' });
    return await work(space);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    remove();
  }
}

/** /dev/shm (memory) when it is a writable directory, else the system's temp directory. */
export function privateTmpRoot(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // no /dev/shm (macOS, some containers)
  }
  return tmpdir();
}
