import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { Secret } from '../../../src/redact/secret.js';
import { TemplateError, TemplateRenderer } from '../../../src/render/templates.js';
import { packageRoot } from '../../../src/util/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-tpl-'));
function template(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('template rendering', () => {
  it('reveals a secret only through {{secret}}, and reports what it revealed', () => {
    const r = new TemplateRenderer();
    const key = new Secret('live_abc123', 'test');
    const out = r.render(template('push.hbs', 'push {{secret KEY}};\n# plain: {{KEY}}\n'), { KEY: key });
    expect(out.content).toBe('push live_abc123;\n# plain: ********\n');
    expect(out.secretValues).toEqual(['live_abc123']);
  });

  it('one renderer serves every host of a run: each render has its own values and secrets', () => {
    const r = new TemplateRenderer();
    const path = template('host.hbs', 'host {{NAME}} key {{secret KEY}}\n');
    const a = r.render(path, { NAME: 'salon', KEY: new Secret('key_salon', 'test') });
    const b = r.render(path, { NAME: 'cuisine', KEY: new Secret('key_cuisine', 'test') });
    expect([a.content, b.content]).toEqual(['host salon key key_salon\n', 'host cuisine key key_cuisine\n']);
    expect([a.secretValues, b.secretValues]).toEqual([['key_salon'], ['key_cuisine']]);
    // Nothing of an earlier render carries over: without its own key, a host's render fails.
    expect(() => r.render(path, { NAME: 'garage' })).toThrow(/secret helper takes a secret/);
  });

  it("passes a configuration error from the context through as it is, not as the template's", () => {
    // The context's `btfs` getter refuses a host with no pinned checksum: the user's conf, said
    // where they wrote it, with its own hint (was: wrapped in the role file's path, "check the
    // variable names used in the role").
    const r = new TemplateRenderer();
    const issue = { variable: 'BTFS_SHA256_AMD64', message: 'is empty', hint: 'run `orbis btfs pin`', file: 'conf/orbis.conf', line: 106, col: 19 };
    const context = { get btfs(): never { throw new ConfigError([issue]); } };
    for (const render of [() => r.renderString('{{btfs.sha256}}', context, 'roles/btfs/role.yaml'), () => r.render(template('btfs.hbs', '{{btfs.url}}\n'), context)]) {
      let thrown: unknown;
      try { render(); } catch (error) { thrown = error; }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toBe('conf/orbis.conf:106:19: BTFS_SHA256_AMD64: is empty (hint: run `orbis btfs pin`)');
    }
  });

  it('is strict: a missing variable is an error naming it', () => {
    const r = new TemplateRenderer();
    expect(() => r.render(template('missing.hbs', 'port {{NGINX_PORT}}\n'), {})).toThrow(TemplateError);
    expect(() => r.render(template('missing2.hbs', 'port {{NGINX_PORT}}\n'), {})).toThrow(/NGINX_PORT/);
  });

  it('does not HTML-escape and quotes for the shell on request', () => {
    const r = new TemplateRenderer();
    const out = r.render(template('sh.hbs', 'A={{shq v}} B={{v}}\n'), { v: "it's <x> & y" });
    expect(out.content).toBe(`A='it'\\''s <x> & y' B=it's <x> & y\n`);
  });

  it('refuses a BOM or CR line endings in rendered output', () => {
    const r = new TemplateRenderer();
    expect(() => r.render(template('bom.hbs', '\uFEFFx\n'), {})).toThrow(/BOM/);
    expect(() => r.render(template('crlf.hbs', 'x\r\ny\r\n'), {})).toThrow(/CR/);
  });

  it('renders the ffmpeg role template exactly (golden file)', () => {
    const r = new TemplateRenderer();
    const out = r.render(join(packageRoot(), 'templates', 'ffmpeg', 'encodeur.env.hbs'), {
      encode: { encoder: 'h264_v4l2m2m', encoderReason: 'auto: Raspberry Pi 4 Model B with h264_v4l2m2m and /dev/video11', encoderArgs: '-c:v h264_v4l2m2m -b:v 3500k' },
    });
    expect(out.content).toBe(readFileSync(join(packageRoot(), 'test', 'fixtures', 'golden', 'ffmpeg', 'encodeur.env'), 'utf8'));
  });
});
