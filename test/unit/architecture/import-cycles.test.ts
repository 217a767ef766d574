// src/ has no import cycle, between files or between its top-level folders (issue #21): the
// folders are layers (util, config, transport, facts, resources, render, roles, engine, verify,
// report, app, fleet, cli ...), each importing only those below it. The check is proved able to
// fail on a small tree that has both kinds of cycle.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cycles, describeCycle, folderGraph, importGraph } from '../../architecture/import-graph.js';

const REPO = join(import.meta.dirname, '..', '..', '..');

function report(root: string, files: Awaited<ReturnType<typeof importGraph>>): string[] {
  const folders = folderGraph(files, root);
  return [...cycles(files).map((c) => describeCycle(c, files, files)), ...cycles(folders).map((c) => describeCycle(c, folders, files))];
}

describe('import cycles', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'orbis-cycles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('src/ has none, between files or between folders (type-only imports included)', async () => {
    const files = await importGraph('src', 'tsconfig.json', REPO);
    // The graph is the real one: the CLI's entry imports, the engine reaches the roles.
    expect(files.get('src/cli/main.ts')?.size).toBeGreaterThan(0);
    expect([...(files.get('src/engine/run.ts') ?? [])]).toContain('src/roles/desired.ts');
    expect(report('src', files).join('\n\n')).toBe('');
  }, 60_000);

  it('finds a cycle between two files, and one between two folders through a type-only import', async () => {
    const write = (path: string, text: string): void => {
      mkdirSync(join(scratch, path, '..'), { recursive: true });
      writeFileSync(join(scratch, path), text);
    };
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }));
    write('package.json', '{"type":"module"}');
    write('src/a/one.ts', "import { two } from './two.js';\nexport const one = (): number => two() + 1;\n");
    write('src/a/two.ts', "import { one } from './one.js';\nexport const two = (): number => (one.length > 0 ? 2 : 0);\n");
    write('src/b/low.ts', "import type { High } from '../c/high.js';\nexport interface Low { high?: High }\n");
    write('src/c/high.ts', "import type { Low } from '../b/low.js';\nexport interface High { low: Low }\n");
    write('src/d/alone.ts', "import type { Low } from '../b/low.js';\nexport const alone = (l: Low): Low => l;\n");
    const files = await importGraph('src', 'tsconfig.json', scratch);
    expect(cycles(files)).toEqual([['src/a/one.ts', 'src/a/two.ts'], ['src/b/low.ts', 'src/c/high.ts']]);
    const folders = folderGraph(files, 'src');
    expect(cycles(folders)).toEqual([['src/b', 'src/c']]);
    expect(describeCycle(['src/b', 'src/c'], folders, files)).toBe(
      'cycle: src/b, src/c\n  src/b -> src/c (src/b/low.ts imports src/c/high.ts)\n  src/c -> src/b (src/c/high.ts imports src/b/low.ts)',
    );
  }, 60_000);
});
