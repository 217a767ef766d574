// Which labs are up on this machine (`orbis lab status` / `lab down` name them when the one asked
// for is not up: the demo's lab is orbis-demo, not the default orbis).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { othersUp } from '../../../src/cli/lab.js';
import { labsUp } from '../../../src/lab/index.js';
import { STATE_VERSION } from '../../../src/lab/state.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-labs-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lab(name: string, subnet: string, pis: string[]): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'state.json'), JSON.stringify({ version: STATE_VERSION, name, subnet, hosts: Object.fromEntries(pis.map((p) => [p, { name: p }])) }));
}

describe('the labs up on this machine', () => {
  it('are read from the lab directory, each with its subnet and Pis; a directory without state is no lab', async () => {
    lab('orbis-demo', '10.213.100.0/24', ['pi1']);
    lab('orbis-e2e', '10.213.1.0/24', ['pi1', 'pi2']);
    mkdirSync(join(dir, 'orbis'));
    const saved = process.env.ORBIS_LAB_DIR;
    process.env.ORBIS_LAB_DIR = dir;
    try {
      expect(await labsUp()).toEqual([
        { name: 'orbis-demo', subnet: '10.213.100.0/24', pis: 1 },
        { name: 'orbis-e2e', subnet: '10.213.1.0/24', pis: 2 },
      ]);
    } finally {
      if (saved === undefined) delete process.env.ORBIS_LAB_DIR;
      else process.env.ORBIS_LAB_DIR = saved;
    }
  });

  it('are named, with how to reach one, when the lab asked for is not up', () => {
    const labs = [{ name: 'orbis-demo', subnet: '10.213.100.0/24', pis: 1 }];
    expect(othersUp(labs, 'orbis')).toBe('labs up on this machine:\n  orbis-demo (10.213.100.0/24, 1 Pi)\nname one with --name, e.g. `orbis lab status --name orbis-demo`\n');
    expect(othersUp(labs, 'orbis-demo')).toBe('');
    expect(othersUp([], 'orbis')).toBe('');
  });
});
