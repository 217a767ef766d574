// `orbis render --out DIR` without a host: the files of the stack as provision writes them, keys
// masked unless asked, 0600 when a key is in clear, and DIR handled safely across renders.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { renderContext } from '../../../src/roles/context.js';
import { INDEX_NAME, renderedFiles, RenderOutputError, writeRendered, type RenderedFile } from '../../../src/render/output.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { splitRoleVariables } from '../../../src/roles/variables.js';
import { packageRoot } from '../../../src/util/paths.js';
import { hostFacts } from '../resources/fixtures.js';
import { ensureBuilt, runCli } from '../safety/cli.js';

const ROOT = packageRoot();
const DLIVE_KEY = 'dlive_GOLDEN_key1';
const KICK_KEY = 'sk_us-west-2_GOLDEN_key2';
const roles = loadRoles(['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'], [roleSourceAt(ROOT)], '0.1.0');

/** The stack for the golden files' settings (test/unit/render/stack.test.ts). */
function stackFiles(): RenderedFile[] {
  const loaded = loadSettings({
    env: { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY },
    vars: [
      'PLATEFORMES=toutes', 'ENCODEUR_VIDEO=libx264',
      `LISTE_LECTURE=${join(ROOT, 'test', 'fixtures', 'stack', 'liste.txt')}`,
      'BTFS_SHA256_ARM64=862bd48e31d4ce4f6f1def3ee96ac805e4b35608e02c44c3621489ea89c985c4',
    ],
  });
  const { roleValues } = splitRoleVariables(roles, [], {});
  const context = renderContext(loaded, { values: roleValues }, hostFacts({ arch: 'arm64' }), '0.1.0');
  return renderedFiles(buildDesired(roles, context, new TemplateRenderer()));
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'orbis-render-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const options = { host: 'pi', orbisVersion: '0.1.0', showSecrets: false, secretValues: [DLIVE_KEY, KICK_KEY] };
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('writeRendered', () => {
  const files = stackFiles();

  it('writes every file of the roles at its path on the Pi, as the golden files say provision writes them', () => {
    const out = join(work, 'clear');
    const written = writeRendered(out, files, { ...options, showSecrets: true });
    expect(written.map((w) => w.path)).toEqual(files.map((f) => f.path));
    for (const [path, golden] of [
      ['/etc/nginx/orbis/rtmp.conf', 'nginx-rtmp/rtmp.conf'],
      ['/etc/orbis/orbis.conf', 'orbis-service/orbis.conf'],
      ['/usr/local/bin/orbis-diffuser', 'orbis-service/orbis-diffuser'],
    ] as const) {
      expect(readFileSync(join(out, path), 'utf8'), path).toBe(readFileSync(join(ROOT, 'test', 'fixtures', 'golden', golden), 'utf8'));
    }
    // A key in clear: owner only; a script stays executable; the rest readable.
    expect(mode(join(out, 'etc/nginx/orbis/rtmp.conf'))).toBe(0o600);
    expect(mode(join(out, 'usr/local/bin/orbis-diffuser')) & 0o100).toBe(0o100);
    expect(written.find((w) => w.path === '/etc/nginx/orbis/rtmp.conf')).toMatchObject({ secret: true, masked: false, mode: '0600', localMode: '0600' });
  });

  it('masks the keys by default, and no other file holds one', () => {
    const out = join(work, 'masked');
    const written = writeRendered(out, files, options);
    const rtmp = readFileSync(join(out, 'etc/nginx/orbis/rtmp.conf'), 'utf8');
    expect(rtmp).toContain('playPath=********;');
    expect(rtmp).toContain('playPath=******** tcUrl=rtmps://');
    for (const w of written) {
      const text = readFileSync(w.file, 'utf8');
      expect(text.includes(DLIVE_KEY) || text.includes(KICK_KEY), w.path).toBe(false);
    }
    expect(written.find((w) => w.path === '/etc/nginx/orbis/rtmp.conf')).toMatchObject({ secret: true, masked: true });
    expect(JSON.parse(readFileSync(join(out, INDEX_NAME), 'utf8'))).toMatchObject({ host: 'pi', files: expect.arrayContaining([expect.objectContaining({ path: '/etc/orbis/orbis.conf', owner: 'root', group: 'orbis', mode: '0640' })]) });
  });

  it('rendering again removes the files no longer rendered, and replaces a link left in a file\'s place', () => {
    const out = join(work, 'again');
    writeRendered(out, files, options);
    const target = join(work, 'elsewhere.txt');
    writeFileSync(target, 'untouched\n');
    rmSync(join(out, 'etc/nginx/nginx.conf'));
    symlinkSync(target, join(out, 'etc/nginx/nginx.conf'));
    writeRendered(out, files.filter((f) => f.role !== 'stunnel'), options);
    expect(existsSync(join(out, 'etc/stunnel/kick.conf'))).toBe(false);
    expect(existsSync(join(out, 'etc/stunnel'))).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    expect(readFileSync(join(out, 'etc/nginx/nginx.conf'), 'utf8')).toContain('worker_processes 1;');
  });

  it('refuses a directory that is not empty and not an earlier render, and paths outside DIR', () => {
    const out = join(work, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    expect(() => writeRendered(out, files, options)).toThrow(RenderOutputError);
    expect(() => writeRendered(out, files, options)).toThrow(/is not empty and holds no earlier render/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    const file = files[0] as RenderedFile;
    expect(() => writeRendered(join(work, 'escape'), [{ ...file, path: '/../../outside' }], options)).toThrow(/outside/);
  });
});

describe('orbis render --offline (the compiled CLI)', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('renders with the conf file and --var, keys masked unless --show-secrets, and says what it assumed', async () => {
    const cwd = join(work, 'cli');
    mkdirSync(join(cwd, 'conf'), { recursive: true });
    writeFileSync(join(cwd, 'conf', 'orbis.conf'), `DLIVE_CLE_FLUX="${DLIVE_KEY}"\nKICK_ACTIF=false\nNGINX_PORT_RTMP=9935\n`, { mode: 0o600 });
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd };
    const masked = await runCli(['render', 'pi@192.0.2.1', '--offline', '--out', 'out', '--var', 'DEBIT_IMAGES=30'], { cwd, env });
    expect(masked.code, masked.stderr).toBe(0);
    expect(masked.stderr).toContain('--offline: ENCODEUR_VIDEO=auto is rendered as libx264');
    expect(masked.stdout).toMatch(/\/etc\/nginx\/orbis\/rtmp\.conf {2}\(stream keys masked\)/);
    expect(masked.stdout).toContain('files of system, ffmpeg, nginx-rtmp, stunnel, btfs, orbis-service written under out (offline');
    const rtmp = readFileSync(join(cwd, 'out', 'etc/nginx/orbis/rtmp.conf'), 'utf8');
    expect(rtmp).toContain('listen 127.0.0.1:9935;');
    expect(rtmp).toContain('playPath=********;');
    expect(rtmp).not.toContain('tcUrl'); // Kick off: no Kick push
    expect(existsSync(join(cwd, 'out', 'etc/stunnel/kick.conf'))).toBe(false);
    expect(masked.stdout + masked.stderr).not.toContain(DLIVE_KEY);

    const clear = await runCli(['render', 'pi@192.0.2.1', '--offline', '--out', 'out', '--show-secrets', '--json'], { cwd, env });
    expect(clear.code, clear.stderr).toBe(0);
    expect(clear.stdout + clear.stderr).not.toContain(DLIVE_KEY);
    const report = JSON.parse(clear.stdout) as { files: Array<{ path: string; localMode: string; masked: boolean }> };
    expect(report.files.find((f) => f.path === '/etc/nginx/orbis/rtmp.conf')).toMatchObject({ localMode: '0600', masked: false });
    expect(readFileSync(join(cwd, 'out', 'etc/nginx/orbis/rtmp.conf'), 'utf8')).toContain(`playPath=${DLIVE_KEY};`);
    expect(mode(join(cwd, 'out', 'etc/nginx/orbis/rtmp.conf'))).toBe(0o600);
  }, 60_000);

  it('an empty key provision would ask for is a warning; a directory that is not a render is an error', async () => {
    const cwd = join(work, 'cli2');
    mkdirSync(join(cwd, 'out'), { recursive: true });
    writeFileSync(join(cwd, 'out', 'keep.txt'), 'x');
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd };
    const refused = await runCli(['render', 'pi@192.0.2.1', '--offline', '--out', 'out'], { cwd, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^warning: default value: DLIVE_CLE_FLUX: DLive is enabled but its stream key is empty .*\(provision would refuse\)$/m);
    expect(refused.stderr).toMatch(/orbis render: out is not empty and holds no earlier render \(\.orbis-render\.json\) \(hint: name a new or empty directory/);
  }, 60_000);
});
