// The conf file's warnings (a BOM, CRLF line endings, a key set twice, a name that is no
// setting) are said by every command that reads it, as `orbis inventory` says them: they used to
// be dropped by provision, check, apply and render.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../safety/cli.js';

let dir = '';
let env: Record<string, string> = {};
const WARNINGS = [
  'warning: conf/orbis.conf:1:1: starts with a UTF-8 byte order mark (BOM)',
  'warning: conf/orbis.conf:1: has Windows (CRLF) line endings',
  'warning: conf/orbis.conf:2:1: DLIVE_CLE_FLUX: set again (first set at line 1)',
  'warning: conf/orbis.conf:4:1: NOT_A_SETTING: is not an orbis setting; ignored',
];

beforeAll(() => {
  ({ dir, env } = scratchProject('orbis-conf-warnings-', '\uFEFFDLIVE_CLE_FLUX=live_one\r\nDLIVE_CLE_FLUX=live_two\r\nKICK_CLE_FLUX=sk_us-west-2_abc\r\nNOT_A_SETTING=1\r\n'));
}, 300_000);

describe("the conf file's warnings", () => {
  it.each([
    ['provision --check', ['provision', 'pi@127.0.0.1:1', '--check']],
    ['check', ['check', 'pi@127.0.0.1:1']],
    ['apply --check', ['apply', '-i', 'inventory/one.yaml', '--check']],
    ['render --offline', ['render', 'pi@127.0.0.1:1', '--offline', '--out', join(dir, 'out')]],
  ])('%s says each once, where it is', async (_name, args) => {
    const run = await runCli(args, { cwd: dir, env });
    for (const warning of WARNINGS) {
      expect(run.stderr, run.stderr).toContain(warning);
      expect(run.stderr.split(warning).length - 1).toBe(1);
    }
    // No key in a warning (the duplicated key's values are not quoted).
    expect(run.stderr + run.stdout).not.toMatch(/live_one|live_two|sk_us-west-2_abc/);
  });
});
