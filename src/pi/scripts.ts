// The bash that runs on a Pi lives in real files beside this module (src/pi/*.sh): shellcheck-clean
// (.ci/run checks them, and the scripts as sent), each with a header saying what it does, what it
// reads and what it prints. TypeScript writes no shell code: it composes a script from these files,
// with the values it passes assigned at the top (every value quoted by `shq`) and, where a script
// is a program (an apply, a rollback), one-line calls of the files' functions after them.
//
// A composed script is sent on stdin (`bash -s`) or written to the Pi, so one round trip carries it
// all, as before.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { shq } from '../util/shell.js';

/** A value a script reads: a string or number, or a bash array of strings. */
export type ShellValue = string | number | readonly string[];

/** Where the Pi-side files are (read from the source tree: tsc does not copy them to dist/). */
export function piDir(): string {
  return join(packageRoot(), 'src', 'pi');
}

/** Every Pi-side file, by name (for the shellcheck test). */
export function piFiles(): string[] {
  return readdirSync(piDir()).filter((name) => name.endsWith('.sh')).sort();
}

const texts = new Map<string, string>();

/**
 * A Pi-side file's text as it goes into a composed script: without its `#!` line and its
 * `# shellcheck shell=` directive, which are for the file alone (the composed script has its own).
 */
export function piFile(name: string): string {
  let text = texts.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9-]+\.sh$/.test(name)) throw new Error(`not a Pi-side file name: ${name}`);
    text = readFileSync(join(piDir(), name), 'utf8')
      .split('\n')
      .filter((line, i) => !(i === 0 && line.startsWith('#!')) && !/^# shellcheck shell=/.test(line))
      .join('\n');
    if (!text.endsWith('\n')) text += '\n';
    texts.set(name, text);
  }
  return text;
}

/** One assignment line: NAME='value' or NAME=('a' 'b'). */
export function assign(name: string, value: ShellValue): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`a script input is named in capitals: ${name}`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${name}: not a finite number`);
    return `${name}=${value}`;
  }
  if (typeof value === 'string') return `${name}=${value === '' ? "''" : shq(value)}`;
  return `${name}=(${value.map(shq).join(' ')})`;
}

export interface Composition {
  /** The script's inputs, assigned before any file (in this order). */
  vars?: Record<string, ShellValue>;
  /** Pi-side files, in order: libraries first, then the file that does the work (if any). */
  files: readonly string[];
  /** One-line commands after the files (calls of their functions); each must be one line. */
  main?: readonly string[];
}

/** A whole script: `#!/bin/bash`, the inputs, the files, the calls. Pure apart from reading the files once. */
export function composeScript(c: Composition): string {
  const lines = ['#!/bin/bash', ...Object.entries(c.vars ?? {}).map(([name, value]) => assign(name, value))];
  let out = `${lines.join('\n')}\n`;
  for (const file of c.files) out += piFile(file);
  for (const line of c.main ?? []) {
    if (line.includes('\n')) throw new Error(`a call in a composed script is one line: ${line.slice(0, 80)}`);
    out += `${line}\n`;
  }
  return out;
}
