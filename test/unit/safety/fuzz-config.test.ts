// Fuzz-style: hundreds of orbis.conf files, each with one generated fault at a known place. Every
// one must end in a ConfigError (never another exception) whose first issue is at the fault's
// line:col (or the documented setting's, for checks across settings), saying the right thing,
// with no stream key in any message. The seed is printed; ORBIS_FUZZ_SEED=N replays a run,
// ORBIS_FUZZ_SEED=random explores new cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, type ConfigIssue } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { repoRoot } from '../config/helpers.js';
import { CONF_FAULT_KINDS, ConfBase, readExample } from './conf-faults.js';
import { announceSeedAndWatchRejections, caseSeed, Rng, runSeed, type Injected } from './fuzz.js';

const SEED = runSeed(process.env, 20_240_601);
const CASES_PER_KIND = 20;
const FILE = 'conf/fuzz.conf';
const example = readExample(repoRoot);

announceSeedAndWatchRejections('fuzz-config', SEED);

function generate(kindIndex: number, index: number): Injected {
  const kind = CONF_FAULT_KINDS[kindIndex]!;
  const rng = new Rng(caseSeed(SEED, kind.name, index));
  return kind.inject(rng, new ConfBase(example, rng));
}

/** Load, and return the first issue of the outcome expected (an error, or a warning of a good load). */
function firstIssue(injected: Injected): { issue: ConfigIssue | undefined; all: readonly ConfigIssue[] } {
  try {
    const loaded = loadSettings({ confPath: FILE, confText: injected.text, env: {} });
    if (injected.outcome === 'error') throw new Error('loaded without an error');
    return { issue: loaded.warnings[0], all: loaded.warnings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${error instanceof Error ? error.stack : String(error)}`);
    if (injected.outcome === 'warning') throw new Error(`expected only warnings, got: ${error.message}`);
    return { issue: error.issues[0], all: error.issues };
  }
}

describe(`${CONF_FAULT_KINDS.length} kinds of fault in orbis.conf, ${CASES_PER_KIND} cases each (seed ${SEED})`, () => {
  it('generates at least 200 cases, at least 15 per kind', () => {
    expect(CONF_FAULT_KINDS.length * CASES_PER_KIND).toBeGreaterThanOrEqual(200);
    expect(CASES_PER_KIND).toBeGreaterThanOrEqual(15);
  });

  CONF_FAULT_KINDS.forEach((kind, kindIndex) => {
    it(kind.name, () => {
      const failures: string[] = [];
      for (let index = 0; index < CASES_PER_KIND; index++) {
        const injected = generate(kindIndex, index);
        const context = `${kind.name} #${index} (seed ${SEED}) line ${JSON.stringify(injected.shows)}`;
        try {
          const { issue, all } = firstIssue(injected);
          const shown = issue === undefined ? '(none)' : formatIssue(issue);
          const where = { file: issue?.file, line: issue?.line, col: issue?.col };
          const expected = { file: FILE, line: injected.at.line, col: injected.at.col };
          if (JSON.stringify(where) !== JSON.stringify(expected)) failures.push(`${context}: expected ${expected.line}:${expected.col}, got ${shown}`);
          else if (!injected.says.test(shown)) failures.push(`${context}: ${shown} does not match ${injected.says}`);
          const everything = all.map(formatIssue).join('\n');
          const leaked = injected.secrets.find((s) => everything.includes(s));
          if (leaked !== undefined) failures.push(`${context}: a stream key appears in: ${everything}`);
        } catch (error) {
          failures.push(`${context}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
});
