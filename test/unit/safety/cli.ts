// Running the built CLI as a user would: `node dist/src/cli/main.js` (the bundle), built first
// when the build is older than the sources (CI builds before the unit tests; locally this saves a step).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../config/helpers.js';

export const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  args: readonly string[];
  stdout: string;
  stderr: string;
  code: number | null;
}

export function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(join(repoRoot, 'src'))) return;
  // tsc emits even when some other module has a type error (the build then stops before the
  // bundle, and the CLI runs unbundled); the CLI's own files are what count.
  spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore', timeout: 300_000 });
  if (!existsSync(CLI)) throw new Error('the CLI did not build: run npm run build to see why');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }
  return newest;
}

/** Run `orbis ...args` with exactly `env` (nothing inherited) and no terminal on stdin. */
export function runCli(args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ args, stdout, stderr, code });
    });
  });
}

/** Every command path the CLI lists in its help, recursively: [], ['provision'], ['secrets', 'edit'], ... */
export async function commandPaths(options: { cwd: string; env: Record<string, string> }, path: string[] = []): Promise<string[][]> {
  const help = await runCli([...path, '--help'], options);
  const section = help.stdout.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  const below = await Promise.all(names.map((n) => commandPaths(options, [...path, n])));
  return [path, ...below.flat()];
}

/**
 * A scratch project for running the CLI against nothing (127.0.0.1:1, where nothing listens): its
 * conf/orbis.conf holds `confText` (0600), inventory/one.yaml one host there. The CLI is built.
 */
export function scratchProject(prefix: string, confText: string): { dir: string; env: Record<string, string> } {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'conf'));
  mkdirSync(join(dir, 'inventory'));
  writeFileSync(join(dir, 'conf', 'orbis.conf'), confText, { mode: 0o600 });
  writeFileSync(join(dir, 'inventory', 'one.yaml'), 'hosts:\n  salon:\n    address: 127.0.0.1\n    port: 1\n');
  return { dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } };
}
