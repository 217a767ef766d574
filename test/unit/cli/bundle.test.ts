// The CLI as `npm run build` leaves it, a bundle in chunks (scripts/build-cli.mjs): it finds the
// package's own files from where the chunks are, and an error thrown inside orbis names src/*.ts
// lines in its stack, not the bundle's (src/cli/source-maps.ts). (Roles, templates and the conf
// example read through the bundle: conf-warnings.test.ts's render and init/cli.test.ts run them.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../config/helpers.js';
import { ensureBuilt, runCli } from '../safety/cli.js';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
let dir = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'orbis-bundle-'));
}, 300_000);

describe('the built CLI', () => {
  it('reads its version from the package, run from anywhere', async () => {
    const run = await runCli(['--version'], { cwd: dir, env });
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(run.stdout.trim()).toBe(version);
  });

  it('shows the TypeScript source in the stack of an error thrown inside it', async () => {
    // Preloaded: reading package.json fails, so orbis throws as it loads (src/version.ts) and node
    // prints the stack of the uncaught error.
    const preload = join(dir, 'no-package-json.mjs');
    writeFileSync(
      preload,
      `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const read = fs.readFileSync;
fs.readFileSync = (path, ...rest) => { if (String(path).endsWith('package.json')) throw new Error('no package.json here'); return read(path, ...rest); };
syncBuiltinESMExports();
`,
    );
    const run = await runCli(['--version'], { cwd: dir, env: { ...env, NODE_OPTIONS: `--import ${preload}` } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no package.json here');
    expect(run.stderr).toMatch(new RegExp(`\\n {4}at ${join(repoRoot, 'src', 'version.ts')}:\\d+:\\d+\\n`));
    expect(run.stderr).toMatch(new RegExp(`\\n {4}at async ${join(repoRoot, 'src', 'cli', 'main.ts')}:\\d+:\\d+\\n`));
    expect(run.stderr).not.toContain(join(repoRoot, 'dist'));
    // A frame without a map stays as V8 wrote it.
    expect(run.stderr).toContain(`(file://${preload}:`);
  });
});
