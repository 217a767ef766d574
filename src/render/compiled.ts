// Compiling a Handlebars template costs more than rendering it by far (the compiler builds
// JavaScript through source-map nodes): about 50 ms for the stack's templates, on every run. The
// compiled form (Handlebars' precompiled spec) is a pure function of the template's text, the
// compile options and the Handlebars version, so it is kept on the controller under a hash of
// exactly those: an entry can be missing, never stale. With every template cached, the
// compiler is not even loaded, only Handlebars' runtime.
//
// Where: $XDG_CACHE_HOME/orbis/templates (~/.cache/orbis/templates), one file per template,
// owner-only. Template text is role data (no setting values, so no stream key, ever goes in).
// Any failure to read or write an entry only costs the compile it would have saved.
//
// An entry is code: it runs (new Function) as the user of orbis, root in the lab and in CI. So
// it is run only when that user wrote it: a file owned by the running user and writable by no
// one else (checked on the open file, so a file swapped in after a check is not the one read).
// A shared XDG_CACHE_HOME, `sudo -E` with another user's cache, a folder made in advance by
// someone else: their entries are compiled anew, and said once.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type HandlebarsNamespace from 'handlebars';

type Handlebars = typeof HandlebarsNamespace;

const require = createRequire(import.meta.url);

/** Strict (a missing variable is an error) and no HTML escaping: these are config files. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

/** Handlebars' runtime: environments, helpers, and templates from compiled specs. */
export function handlebarsRuntime(): Handlebars {
  return require('handlebars/runtime') as Handlebars;
}

let compiler: Handlebars | undefined;
/** The whole of Handlebars, compiler included: loaded on the first template not in the cache. */
function handlebarsCompiler(): Handlebars {
  compiler ??= require('handlebars') as Handlebars;
  return compiler;
}

export function templateCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const cacheHome = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(cacheHome, 'orbis', 'templates');
}

/**
 * A template function for `source`, bound to `env` (its helpers): compiled from the cache in
 * `dir` when it is there, else compiled now and kept there. `dir` undefined: no cache.
 */
export function compileTemplate(env: Handlebars, source: string, dir: string | undefined): HandlebarsNamespace.TemplateDelegate {
  const key = createHash('sha256').update(`handlebars ${env.VERSION}\0${JSON.stringify(COMPILE_OPTIONS)}\0${source}`).digest('hex');
  const file = dir === undefined ? undefined : join(dir, `${key}.js`);
  if (file !== undefined) {
    try {
      const spec = trustedEntry(file);
      if (spec !== undefined) return templateFromSpec(env, spec);
    } catch {
      // not cached yet, unreadable or damaged: compile it again below
    }
  }
  // A copy: precompile adds its defaults to the options object it is given.
  // precompile's declared return type is the spec object; it returns the spec's source text.
  const spec = handlebarsCompiler().precompile(source, { ...COMPILE_OPTIONS }) as unknown as string;
  const template = templateFromSpec(env, spec);
  if (dir !== undefined && file !== undefined) keep(dir, file, spec);
  return template;
}

/**
 * The entry's text when the running user wrote it (owner, and no write for group or others),
 * undefined otherwise. O_NOFOLLOW: a symlink planted in the cache is not followed to code
 * elsewhere. Throws when there is no entry.
 */
function trustedEntry(file: string): string | undefined {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    const uid = process.getuid?.();
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) {
      warnUntrusted(file, stat.uid === uid ? 'writable by others' : `owned by uid ${stat.uid}`);
      return undefined;
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

let warned = false;
function warnUntrusted(file: string, why: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`warning: the compiled-template cache holds ${file}, ${why}: not run, compiled anew (hint: remove that folder, or set XDG_CACHE_HOME to a folder of your own)\n`);
}

function keep(dir: string, file: string, spec: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, spec, { mode: 0o600 });
    // Atomic: a concurrent run reads the old file, the new one, or none; never half of one.
    renameSync(temp, file);
  } catch {
    // A read-only or full home: the next run compiles again.
  }
}

function templateFromSpec(env: Handlebars, spec: string): HandlebarsNamespace.TemplateDelegate {
  // The spec is what Handlebars' own precompiler emits to be embedded in JavaScript source.
  const templateSpec = new Function(`return (${spec});`)() as Parameters<Handlebars['template']>[0];
  return env.template(templateSpec);
}
