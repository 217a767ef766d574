// A composed Pi-side script run by bash in a temporary tree, as the apply sandbox does: orbis's
// state directory moved into the tree, fake commands (small scripts) first on PATH. For the
// read-only scripts (the facts probe, the import's probe) and --remove-old.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ORBIS_STATE_DIR } from '../../../src/pi/state.js';

export interface ScriptRun {
  stdout: string;
  stderr: string;
  code: number;
}

export class ScriptSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'orbis-script-'));
  /** Where orbis's state directory is for the scripts run here. */
  readonly state = join(this.dir, 'state');
  private readonly bin = join(this.dir, 'bin');

  constructor() {
    mkdirSync(this.bin);
  }

  /** A command on the script's PATH, before the real one. */
  fake(name: string, script: string): void {
    writeFileSync(join(this.bin, name), script.startsWith('#!') ? script : `#!/bin/bash\n${script}\n`);
    chmodSync(join(this.bin, name), 0o755);
  }

  /** A file in the tree (its folders made), `text` in it; returns its path. */
  write(path: string, text: string): string {
    const full = path.startsWith('/') ? path : join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  }

  /** Run a composed script with `bash -s`, the state directory moved here; never throws. */
  run(script: string): ScriptRun {
    const moved = script.split(ORBIS_STATE_DIR).join(this.state);
    const r = spawnSync('bash', ['-s'], { input: moved, env: { ...process.env, PATH: `${this.bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');
