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
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
      return templateFromSpec(env, readFileSync(file, 'utf8'));
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
