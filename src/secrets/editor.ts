// Which editor, and running it: $VISUAL, then $EDITOR, then vi, as git and crontab choose. The
// variable may hold arguments (`code --wait`), so it runs through sh like git does; the file's
// path goes as a separate argument, never pasted into the command.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Env } from './locations.js';

export function editorOf(env: Env): string {
  return [env['VISUAL'], env['EDITOR']].find((e) => e !== undefined && e.trim() !== '') ?? 'vi';
}

/** The editor's exit code (a signal counts as 128 + its number, as a shell reports it). */
export function runEditor(editor: string, file: string, env: Env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'orbis-editor', file], { stdio: 'inherit', env: env as NodeJS.ProcessEnv });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}

