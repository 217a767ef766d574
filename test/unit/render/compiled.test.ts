import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { compileTemplate, handlebarsRuntime, templateCacheDir } from '../../../src/render/compiled.js';
import { TemplateError, TemplateRenderer } from '../../../src/render/templates.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'orbis-compiled-'));

describe('compiled templates kept between runs', () => {
  it('a second run renders from the kept spec, with the same output, helpers and strictness', () => {
    const cache = join(scratch(), 'templates');
    const dir = scratch();
    const path = join(dir, 'push.hbs');
    writeFileSync(path, 'push {{secret KEY}} {{shq NAME}} {{PORT}}\n');
    const values = { KEY: new Secret('live_abc', 'test'), NAME: "it's", PORT: 1935 };

    const first = new TemplateRenderer({ compiledDir: cache }).render(path, values);
    const kept = readdirSync(cache);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^[0-9a-f]{64}\.js$/);
    expect(statSync(join(cache, kept[0] as string)).mode & 0o777).toBe(0o600);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    // Template text only: the values rendered into it never reach the cache.
    expect(readFileSync(join(cache, kept[0] as string), 'utf8')).not.toContain('live_abc');

    const second = new TemplateRenderer({ compiledDir: cache }).render(path, values);
    expect(second).toEqual(first);
    expect(first.content).toBe("push live_abc 'it'\\''s' 1935\n");
    expect(() => new TemplateRenderer({ compiledDir: cache }).render(path, { KEY: values.KEY, NAME: 'x' })).toThrow(TemplateError);
    expect(() => new TemplateRenderer({ compiledDir: cache }).render(path, { KEY: values.KEY, NAME: 'x' })).toThrow(/PORT/);
  });

  it('an entry is found by the template text: an edited template is compiled anew', () => {
    const cache = scratch();
    const env = handlebarsRuntime().create();
    expect(compileTemplate(env, 'a {{X}}', cache)({ X: 1 })).toBe('a 1');
    expect(compileTemplate(env, 'b {{X}}', cache)({ X: 1 })).toBe('b 1');
    expect(readdirSync(cache)).toHaveLength(2);
  });

  it('a damaged entry is compiled again and replaced; an unwritable cache only costs the compile', () => {
    const cache = scratch();
    const env = handlebarsRuntime().create();
    compileTemplate(env, 'v={{X}}', cache);
    const [entry] = readdirSync(cache);
    writeFileSync(join(cache, entry as string), '{ not a spec');
    expect(compileTemplate(env, 'v={{X}}', cache)({ X: 2 })).toBe('v=2');
    expect(readFileSync(join(cache, entry as string), 'utf8')).not.toBe('{ not a spec');

    // A file where the cache directory should be (a permission would not stop root).
    const blocked = join(scratch(), 'not-a-directory');
    writeFileSync(blocked, '');
    expect(compileTemplate(env, 'w={{X}}', join(blocked, 'templates'))({ X: 3 })).toBe('w=3');
  });

  it("runs no entry the running user did not write: writable by others, another user's, a symlink", () => {
    // An entry is code run with new Function: whoever could write it would run code as the user
    // of orbis (root in the lab and CI). Each planted entry here would set a flag if it ran.
    const flag = '__orbisCacheEntryRan';
    const planted = `(globalThis.${flag} = true, { compiler: [8, '>= 4.3.0'], main: function () { return 'planted'; }, useData: true })`;
    const env = handlebarsRuntime().create();
    const plant = (template: string, how: (path: string) => void): string => {
      const cache = scratch();
      compileTemplate(env, template, cache); // a real entry at the right name
      const [entry] = readdirSync(cache);
      how(join(cache, entry as string));
      return cache;
    };
    const cases: Array<[string, (path: string) => void]> = [
      ['writable by others', (path) => { writeFileSync(path, planted); chmodSync(path, 0o666); }],
      ['a symlink to code elsewhere', (path) => {
        const elsewhere = join(scratch(), 'spec.js');
        writeFileSync(elsewhere, planted, { mode: 0o600 });
        rmSync(path);
        symlinkSync(elsewhere, path);
      }],
    ];
    // Another user's file: only root can make one here (CI runs as root).
    if (process.getuid?.() === 0) cases.push(['owned by another user', (path) => { writeFileSync(path, planted); chownSync(path, 65534, 65534); }]);
    for (const [what, how] of cases) {
      const cache = plant(`${what} {{X}}`, how);
      expect(compileTemplate(env, `${what} {{X}}`, cache)({ X: 1 }), what).toBe(`${what} 1`);
      expect((globalThis as Record<string, unknown>)[flag], what).toBeUndefined();
    }
    // The same planted text in an entry of our own, mode 0600, does run: the checks are what stop it.
    const own = plant('own {{X}}', (path) => writeFileSync(path, planted));
    expect(compileTemplate(env, 'own {{X}}', own)({ X: 1 })).toBe('planted');
    expect((globalThis as Record<string, unknown>)[flag]).toBe(true);
    delete (globalThis as Record<string, unknown>)[flag];
  });

  it('lives under $XDG_CACHE_HOME, else ~/.cache', () => {
    expect(templateCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/h' })).toBe('/c/orbis/templates');
    expect(templateCacheDir({ HOME: '/h' })).toBe('/h/.cache/orbis/templates');
  });
});
