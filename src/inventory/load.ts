// Entry point: read inventory files (or directories of them), validate, assemble. Throws one
// ConfigError listing every problem of every file, each at file:line:col with a hint.
import { readdirSync, statSync } from 'node:fs';
import { readBoundedText, UnreadableFileError } from '../util/bounded-read.js';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/index.js';
import { assemble } from './assemble.js';
import { clearKeyWarnings } from './clear-keys.js';
import { isTrackedByGit } from './git.js';
import { readInventoryText, sortByPosition, type InventoryPart } from './read-file.js';
import type { Inventory } from './types.js';

export interface InventoryLoadOptions {
  /** Reads a file's text; default: from disk. */
  readText?: (file: string) => string;
  /** Whether git tracks a file (clear stream keys there are warned about); default: ask git. */
  isTracked?: (file: string) => boolean;
}

/** `paths`: inventory files, or directories whose *.yaml / *.yml files are read in name order. */
export function loadInventory(paths: string | readonly string[], options: InventoryLoadOptions = {}): Inventory {
  const files = expandPaths(typeof paths === 'string' ? [paths] : paths);
  const readText = options.readText ?? ((file: string) => readBoundedText(file));
  const errors: ConfigIssue[] = [];
  const parts: InventoryPart[] = [];
  const warnings: ConfigIssue[] = [];
  for (const file of files) {
    const text = readInventoryFile(file, readText, errors);
    if (text === undefined) continue;
    const reading = readInventoryText(file, text);
    if (!reading.ok) {
      errors.push(...reading.errors);
      continue;
    }
    parts.push(reading.part);
    const { fleet, groups, hosts } = reading.part;
    warnings.push(...clearKeyWarnings(file, [fleet, ...groups, ...hosts], options.isTracked ?? isTrackedByGit));
  }
  // References across files only make sense once every file read cleanly.
  if (errors.length > 0) throw new ConfigError(errors);
  const assembled = assemble(files, parts);
  if (assembled.errors.length > 0) throw new ConfigError(sortByPosition(assembled.errors));
  return { files, fleet: assembled.fleet, hosts: assembled.hosts, groups: assembled.groups, warnings: sortByPosition(warnings) };
}

function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  const errors: ConfigIssue[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Left to the read, which says what is wrong with the file.
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const inside = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
    if (inside.length === 0) errors.push({ file: path, message: 'holds no inventory (*.yaml) file', hint: 'name an inventory file, e.g. -i inventory/example.yaml' });
    files.push(...inside);
  }
  if (errors.length > 0) throw new ConfigError(errors);
  if (files.length === 0) throw new ConfigError([{ source: '-i', message: 'no inventory given', hint: 'name one with -i FILE, e.g. -i inventory/example.yaml' }]);
  return files;
}

function readInventoryFile(file: string, readText: (file: string) => string, errors: ConfigIssue[]): string | undefined {
  try {
    return readText(file);
  } catch (error) {
    if (error instanceof UnreadableFileError) {
      errors.push({ file, message: error.message, hint: error.hint });
      return undefined;
    }
    const code = (error as NodeJS.ErrnoException).code;
    errors.push({
      file,
      message: code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`,
      hint: code === 'ENOENT' ? 'check the path; inventory/example.yaml shows the format' : 'check the file\'s permissions',
    });
    return undefined;
  }
}
