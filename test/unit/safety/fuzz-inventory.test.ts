// Fuzz-style: hundreds of inventories, each with one generated fault at a known place. Every one
// must end in a ConfigError (never another exception) whose first issue is at the fault's
// file:line:col, saying the right thing, with no stream key in any message; a handful also go
// through the compiled CLI (apply --check, check) against hosts nobody listens on, which must stop
// on the inventory error before any connection. The seed is printed; ORBIS_FUZZ_SEED=N replays a
// run, ORBIS_FUZZ_SEED=random explores new cases.
//
// --limit patterns are not fuzzed here: they come from the command line, not a file, so their
// errors carry no file:line:col (test/unit/inventory/patterns.test.ts covers them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, type ConfigIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { loadInventory, resolveHosts } from '../../../src/inventory/index.js';
import { ensureBuilt, runCli } from './cli.js';
import { announceSeedAndWatchRejections, caseSeed, Rng, runSeed } from './fuzz.js';
import { INVENTORY_FAULT_KINDS, InventoryBase, type InventoryInjected } from './inventory-faults.js';

const SEED = runSeed(process.env, 20_240_602);
const CASES_PER_KIND = 20;
const FILE = 'inventory/fuzz.yaml';

// Every { env: NAME } of the base resolves: a stream key of the right shape.
const ENV = new Proxy<Record<string, string>>({}, { get: (_, name) => (typeof name === 'string' && name.endsWith('_KEY') ? `dk${'A'.repeat(20)}` : undefined) });

announceSeedAndWatchRejections('fuzz-inventory', SEED);

function generate(kindIndex: number, index: number): InventoryInjected {
  const kind = INVENTORY_FAULT_KINDS[kindIndex]!;
  const rng = new Rng(caseSeed(SEED, kind.name, index));
  return kind.inject(rng, new InventoryBase(rng), FILE);
}

/** What a run does before any host: load the inventory, resolve every host, load its settings. */
function prepare(files: Record<string, string>): void {
  const readText = (file: string): string => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return text;
  };
  const inventory = loadInventory(Object.keys(files), { readText, isTracked: () => false });
  const hosts = resolveHosts(inventory, inventory.hosts.map((h) => h.name), { env: ENV, unresolved: 'error' });
  for (const host of hosts) loadSettings({ layers: host.layers, env: {} });
}

function errorOf(files: Record<string, string>): ConfigError {
  try {
    prepare(files);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`not a ConfigError: ${error instanceof Error ? error.stack : String(error)}`);
  }
  throw new Error('loaded without an error');
}

describe('the fuzz base', () => {
  it('is a valid inventory whose hosts all load their settings', () => {
    for (let index = 0; index < 20; index++) {
      const rng = new Rng(caseSeed(SEED, 'base', index));
      const base = new InventoryBase(rng);
      expect(() => prepare(base.render(FILE).files), base.render(FILE).files[FILE]).not.toThrow();
    }
  });
});

describe(`${INVENTORY_FAULT_KINDS.length} kinds of fault in an inventory, ${CASES_PER_KIND} cases each (seed ${SEED})`, () => {
  it('generates at least 200 cases, at least 15 per kind', () => {
    expect(INVENTORY_FAULT_KINDS.length * CASES_PER_KIND).toBeGreaterThanOrEqual(200);
    expect(CASES_PER_KIND).toBeGreaterThanOrEqual(15);
  });

  INVENTORY_FAULT_KINDS.forEach((kind, kindIndex) => {
    it(kind.name, () => {
      const failures: string[] = [];
      for (let index = 0; index < CASES_PER_KIND; index++) {
        const injected = generate(kindIndex, index);
        const context = `${kind.name} #${index} (seed ${SEED}) ${JSON.stringify(injected.shows)}`;
        try {
          const error = errorOf(injected.files);
          const issue: ConfigIssue | undefined = error.issues[0];
          const shown = issue === undefined ? '(none)' : formatIssue(issue);
          const where = { file: issue?.file, line: issue?.line, col: issue?.col };
          const expected = { file: injected.file, line: injected.at.line, col: injected.at.col };
          if (JSON.stringify(where) !== JSON.stringify(expected)) failures.push(`${context}: expected ${expected.file}:${expected.line}:${expected.col}, got ${shown}\n${injected.files[injected.file]}`);
          else if (!injected.says.test(shown)) failures.push(`${context}: ${shown} does not match ${injected.says}`);
          const everything = `${error.message}\n${error.issues.map(formatIssue).join('\n')}`;
          const leaked = injected.secrets.find((s) => s.length >= 6 && everything.includes(s));
          if (leaked !== undefined) failures.push(`${context}: ${leaked} appears in: ${everything}`);
        } catch (error) {
          failures.push(`${context}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
});

describe('through the compiled CLI: the inventory error, before any connection', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'orbis-fuzz-inventory-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('apply --check and check exit 1 with file:line:col, and never reach 127.0.0.1:1', async () => {
    // One load-stage case of a few kinds, each host pointed at a port nobody listens on.
    const picks = [0, 6, 10].map((kindIndex) => ({ kindIndex, injected: generate(kindIndex, 0) }));
    const runs = picks.flatMap(({ kindIndex, injected }, i) => {
      const sub = join(dir, String(i));
      const files = Object.entries(injected.files).map(([name, text]) => {
        const path = join(sub, name);
        writeFileSync(ensureDir(path), text.replace(/192\.168\.1\.\d+|10\.\d+\.\d+\.\d+/g, '127.0.0.1').replace(/port: \d+$/gm, 'port: 1'));
        return path;
      });
      const where = `${join(sub, injected.file)}:${injected.at.line}:${injected.at.col}`;
      const args = files.flatMap((f) => ['-i', f]);
      return [['apply', ...args, '--check'], ['check', ...args]].map((command) => ({ kind: INVENTORY_FAULT_KINDS[kindIndex]!.name, command, where }));
    });
    const results = await Promise.all(runs.map(async (run) => ({ run, result: await runCli(run.command, { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir }, timeoutMs: 60_000 }) })));
    for (const { run, result } of results) {
      const context = `${run.kind}: orbis ${run.command.join(' ')}\n${result.stderr}`;
      expect(result.code, context).toBe(1);
      expect(result.stderr, context).toContain(run.where);
      expect(result.stderr, context).not.toMatch(/ECONNREFUSED|unreachable|connect(ing|ion refused)|127\.0\.0\.1:1\b|\n\s+at /);
      expect(result.stdout, context).not.toMatch(/127\.0\.0\.1/);
    }
  }, 120_000);
});

function ensureDir(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
