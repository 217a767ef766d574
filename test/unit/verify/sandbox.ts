// A composed observing script (verify, status, reconnect's drop) run by bash in a temporary
// directory, as on a Pi but with the Pi's commands faked: the script's PATH is a bin directory of
// fakes (small scripts, see `fake`) and a directory of links to the few real tools the scripts
// need to run at all (coreutils, grep, sed, awk, base64, bash). Every other command is missing,
// as on a host without it: a test adds a fake to have it. Each fake logs its call (name and
// arguments, one line) to $SANDBOX/calls.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real tools every script may use (they are there on any Pi). */
const TOOLS = ['bash', 'base64', 'mktemp', 'rm', 'date', 'grep', 'cut', 'sort', 'stat', 'tr', 'head', 'tail', 'sed', 'awk', 'timeout', 'cat', 'sleep'];

export interface ScriptRun {
  stdout: string;
  stderr: string;
  code: number;
  /** The fakes' calls, in order: `<name> <arguments joined by spaces>`. */
  calls: string[];
}

export class ScriptSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'orbis-pi-sandbox-'));
  private readonly bin = join(this.dir, 'bin');
  private readonly tools = join(this.dir, 'tools');
  private readonly servers: Server[] = [];

  constructor() {
    mkdirSync(this.bin);
    mkdirSync(this.tools);
    for (const tool of TOOLS) {
      const path = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(path, join(this.tools, tool));
    }
  }

  /**
   * A fake command: logs its call, then runs `body` (bash, with the arguments as "$@"; it sees
   * $SANDBOX, this sandbox's directory).
   */
  fake(name: string, body = 'exit 0'): void {
    const file = join(this.bin, name);
    writeFileSync(file, `#!/bin/bash\nprintf '%s\\n' "${name} $*" >> "$SANDBOX/calls"\n${body}\n`);
    chmodSync(file, 0o755);
  }

  /** A file in the sandbox (its absolute path). */
  file(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  /** A listening Unix socket at `name` in the sandbox (its absolute path). */
  async socket(name: string): Promise<string> {
    const path = join(this.dir, name);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    server.unref();
    this.servers.push(server);
    return path;
  }

  /** A TCP port on 127.0.0.1 that accepts connections (the kernel accepts them while node waits). */
  async tcpPort(): Promise<number> {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    this.servers.push(server);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP port');
    return address.port;
  }

  /** Run a script as `bash -s` (how it is sent), the fakes first on PATH. */
  run(script: string): ScriptRun {
    const calls = join(this.dir, 'calls');
    rmSync(calls, { force: true });
    const r = spawnSync(join(this.tools, 'bash'), ['-s'], {
      input: script,
      encoding: 'utf8',
      env: { PATH: `${this.bin}:${this.tools}`, SANDBOX: this.dir },
    });
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      code: r.status ?? -1,
      calls: existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter((l) => l !== '') : [],
    };
  }

  close(): void {
    for (const server of this.servers) server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The output's lines with tag `tag`, split on tabs (the tag dropped). */
export function tagged(stdout: string, tag: string): string[][] {
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((f) => f[0] === tag)
    .map((f) => f.slice(1));
}

/** The tags of the output's lines, in order. */
export function tags(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[0] ?? '');
}

export const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

