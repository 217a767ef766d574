// `orbis render --out DIR`: the files the roles would write on a host, written under DIR at their
// paths on the Pi (DIR/etc/nginx/nginx.conf), to read, diff or check. Stream keys are masked
// unless shown on purpose, and a file that holds one in clear is 0600. DIR keeps an index
// (.orbis-render.json: role, mode and owner on the Pi of each file), so that rendering again into
// it removes the files no longer rendered, and never touches a directory that is not a render.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { maskSecrets } from '../redact/secret.js';
import type { Desired } from '../resources/types.js';

export const INDEX_NAME = '.orbis-render.json';

export interface RenderedFile {
  /** Where the file goes on the Pi. */
  path: string;
  role: string;
  /** Mode, owner and group on the Pi. */
  mode: string;
  owner: string;
  group: string;
  content: string;
  /** Clear values of the secrets the content holds. */
  secretValues: string[];
}

export interface WrittenFile {
  path: string;
  role: string;
  mode: string;
  owner: string;
  group: string;
  /** Where it was written on this machine. */
  file: string;
  /** The mode of the local copy. */
  localMode: string;
  bytes: number;
  /** It holds a stream key: masked, or (with showSecrets) in clear in a 0600 file. */
  secret: boolean;
  masked: boolean;
}

export class RenderOutputError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(`${message} (hint: ${hint})`);
    this.name = 'RenderOutputError';
  }
}

/** The files of a desired state (roles/desired.ts), in the order the roles write them. */
export function renderedFiles(desired: { resources: readonly Desired[] }): RenderedFile[] {
  return desired.resources.flatMap((r) =>
    r.kind === 'file'
      ? [{ path: r.path, role: r.id.role, mode: r.mode, owner: r.owner, group: r.group, content: r.content, secretValues: (r.secretValues ?? []).filter((v) => v !== '') }]
      : [],
  );
}

interface Index {
  orbis: string;
  host: string;
  files: Array<Omit<WrittenFile, 'file' | 'bytes'>>;
}

function readIndex(dir: string): Index | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, INDEX_NAME), 'utf8')) as Index;
  } catch {
    return undefined;
  }
}

/** DIR/<path on the Pi>, refusing anything that would land outside DIR. */
function localPath(dir: string, path: string): string {
  if (!isAbsolute(path)) throw new RenderOutputError(`a role renders the relative path ${path}`, 'file paths in roles are absolute');
  const file = resolve(dir, `.${path}`);
  if (relative(dir, file).startsWith('..') || file === dir) throw new RenderOutputError(`${path} would be written outside ${dir}`, 'file paths in roles may not hold ..');
  return file;
}

/** A file with exactly this content, created anew (never through a link left in its place). */
function writeNew(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  if (existsSync(file) || isDanglingLink(file)) rmSync(file, { force: true });
  const fd = openSync(file, 'wx', mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function isDanglingLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Remove a file an earlier render wrote, and the directories that held only it. */
function removeStale(dir: string, file: string): void {
  rmSync(file, { force: true });
  for (let parent = dirname(file); parent !== dir && parent.startsWith(dir + sep); parent = dirname(parent)) {
    if (readdirSync(parent).length > 0) break;
    rmdirSync(parent);
  }
}

export interface WriteOptions {
  host: string;
  orbisVersion: string;
  /** Write stream keys in clear (into 0600 files); otherwise they are masked. */
  showSecrets: boolean;
  /** Every secret value of the run: masked in files that do not reveal them on purpose too. */
  secretValues: string[];
}

export function writeRendered(outDir: string, files: RenderedFile[], options: WriteOptions): WrittenFile[] {
  const dir = resolve(outDir);
  const earlier = existsSync(dir) ? readIndex(dir) : undefined;
  if (existsSync(dir) && !lstatSync(dir).isDirectory()) throw new RenderOutputError(`${outDir} exists and is not a directory`, 'name a new or empty directory');
  if (existsSync(dir) && earlier === undefined && readdirSync(dir).length > 0) {
    throw new RenderOutputError(`${outDir} is not empty and holds no earlier render (${INDEX_NAME})`, 'name a new or empty directory: orbis render replaces the files of its own earlier renders only');
  }
  mkdirSync(dir, { recursive: true });
  const written: WrittenFile[] = files.map((f) => {
    const secret = f.secretValues.length > 0;
    const masked = secret && !options.showSecrets;
    const content = options.showSecrets ? f.content : maskSecrets(f.content, [...f.secretValues, ...options.secretValues]);
    // A stream key in clear is for its owner only; scripts stay executable for `bash -n` and the like.
    const localMode = secret && options.showSecrets ? 0o600 : (parseInt(f.mode, 8) & 0o111) !== 0 ? 0o755 : 0o644;
    const file = localPath(dir, f.path);
    writeNew(file, content, localMode);
    return {
      path: f.path, role: f.role, mode: f.mode, owner: f.owner, group: f.group,
      file, localMode: `0${localMode.toString(8)}`, bytes: Buffer.byteLength(content), secret, masked,
    };
  });
  const now = new Set(written.map((w) => w.path));
  for (const old of earlier?.files ?? []) {
    if (typeof old.path === 'string' && !now.has(old.path)) removeStale(dir, localPath(dir, old.path));
  }
  const index: Index = {
    orbis: options.orbisVersion,
    host: options.host,
    files: written.map(({ file: _file, bytes: _bytes, ...rest }) => rest),
  };
  writeNew(join(dir, INDEX_NAME), `${JSON.stringify(index, null, 2)}\n`, 0o644);
  return written;
}
