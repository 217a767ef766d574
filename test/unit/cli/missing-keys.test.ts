// A plan needs the stream keys as much as a run: `provision --check`, `apply --check` and `check`
// refuse an empty key before any host is reached, as `provision` does (they used to plan
// `playPath=` as the change to make, which the real run then refused).
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchProject } from '../safety/cli.js';

let dir = '';
let env: Record<string, string> = {};

beforeAll(() => {
  // Kick's key set, DLive's empty; nothing listens on 127.0.0.1:1.
  ({ dir, env } = scratchProject('orbis-missing-keys-', 'DLIVE_CLE_FLUX=\nKICK_CLE_FLUX=sk_us-west-2_abcdef\n'));
}, 300_000);

describe('an empty stream key in a plan', () => {
  it.each([
    ['provision --check', ['provision', 'pi@127.0.0.1:1', '--check']],
    ['check', ['check', 'pi@127.0.0.1:1']],
    ['apply --check', ['apply', '-i', 'inventory/one.yaml', '--check']],
  ])('%s refuses it before reaching any host, where it was written', async (_name, args) => {
    const run = await runCli(args, { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('conf/orbis.conf:1:16: DLIVE_CLE_FLUX: DLive is enabled but its stream key is empty');
    // Refused from the settings alone: no connection was tried.
    expect(run.stderr + run.stdout).not.toMatch(/connection refused|unreachable/);
    expect(run.stdout).not.toContain('playPath=');
  });
});
