// A --var means the same to every command that reaches hosts: a role's variable (BLOCAGE_MAX) was
// accepted by provision and refused by status ("names no orbis setting"); and the commands that
// render nothing to apply (verify, status, reconnect) need no stream key, which only masks their
// output. Each command here is refused, if at all, by the host (nothing listens on port 1), never
// by its settings.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../safety/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-same-vars-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

beforeAll(() => ensureBuilt(), 300_000);

describe('the same --var for every command', () => {
  it.each([
    ['status', ['status', 'pi@127.0.0.1:1']],
    ['verify', ['verify', 'pi@127.0.0.1:1']],
    ['verify --roles ffmpeg', ['verify', 'pi@127.0.0.1:1', '--roles', 'ffmpeg']],
    ['reconnect', ['reconnect', 'pi@127.0.0.1:1', '--platform', 'kick']],
    ['provision --roles ffmpeg --check', ['provision', 'pi@127.0.0.1:1', '--roles', 'ffmpeg', '--check']],
  ])('%s takes a role variable, and needs no stream key', async (_name, args) => {
    const run = await runCli([...args, '--var', 'BLOCAGE_MAX=45', '--var', 'BTFS_MEMBRE_ARCHIVE=btfs/btfs'], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('cannot reach 127.0.0.1 (port 1): connection refused');
    expect(run.stdout + run.stderr).not.toMatch(/names no orbis setting|stream key is empty/);
  });

  it('a role variable out of its range is refused by each of them alike', async () => {
    for (const args of [['status', 'pi@127.0.0.1:1'], ['provision', 'pi@127.0.0.1:1', '--check']]) {
      const run = await runCli([...args, '--var', 'BLOCAGE_MAX=0'], { cwd: dir, env: { ...env, ORBIS_DLIVE_CLE_FLUX: 'k1', ORBIS_KICK_CLE_FLUX: 'sk_k2' } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('--var BLOCAGE_MAX: must be a number from 5 to 3600; found 0');
    }
  });
});
