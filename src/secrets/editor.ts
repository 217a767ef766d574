// Which editor, and running it: $VISUAL, then $EDITOR, then vi, as git and crontab choose. The
// variable may hold arguments (`code --wait`), so it runs through sh like git does; the file's
// path goes as a separate argument, never pasted into the command.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Env } from './locations.js';

export function editorOf(env: Env): string {
  return [env['VISUAL'], env['EDITOR']].find((e) => e !== undefined && e.trim() !== '') ?? 'vi';
}

/** The editor's exit code (a signal counts as 128 + its number, as a shell reports it). */
export function runEditor(editor: string, file: string, env: Env, started: (child: ChildProcess) => void = () => {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'orbis-editor', file], { stdio: 'inherit', env: env as NodeJS.ProcessEnv });
    started(child);
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}


/**
 * Stop the editor and whatever it started: the shell in between would otherwise die alone and
 * leave the real editor running on a file that is gone. Descendants come from /proc (Linux);
 * elsewhere only the direct child is signalled.
 */
export function stopEditor(child: ChildProcess): void {
  const pids = child.pid === undefined ? [] : [child.pid, ...descendantsOf(child.pid)];
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // The command name (2nd field) may hold spaces and parentheses: read after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    return [];
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
