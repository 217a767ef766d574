import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDropScript, parseDropOutput } from '../../../src/status/reconnect.js';
import { buildStatusScript } from '../../../src/status/script.js';
import { DLIVE_KEY, KICK_KEY, statusInput } from './helpers.js';

function bashAccepts(script: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'orbis-status-')), 'script.sh');
  writeFileSync(file, script);
  expect(() => execFileSync('bash', ['-n', file])).not.toThrow();
}

describe('the status script', () => {
  it('is bash, carries no key, reads /stat, the units, the streamer and the journal', () => {
    const script = buildStatusScript(statusInput());
    bashAccepts(script);
    expect(script).not.toContain(DLIVE_KEY);
    expect(script).not.toContain(KICK_KEY);
    for (const part of ['http://127.0.0.1:8088/stat', '--timestamp=unix', '/run/orbis/etat', '-u stunnel@kick.service', "printf 'END\\n'"]) expect(script).toContain(part);
  });

  it('without Kick it does not ask about stunnel', () => {
    expect(buildStatusScript(statusInput(['PLATEFORMES=dlive']))).not.toContain('stunnel');
  });
});

describe('the drop script', () => {
  it('drops each push by client id on the control socket, nothing else', () => {
    const script = buildDropScript('diffusion', [7, 12]);
    bashAccepts(script);
    expect(script).toContain("--unix-socket \"$s\" 'http://localhost/control/drop/subscriber?app=diffusion&clientid=7'");
    expect(script).toContain('clientid=12');
    expect(script).not.toContain('publisher');
  });

  it('reads how many sessions nginx dropped, a missing socket, and refusals', () => {
    const b = (s: string) => Buffer.from(s).toString('base64');
    expect(parseDropOutput(`DROP\t7\t0\t${b('1')}\nEND\n`)).toEqual({ socket: true, dropped: 1, errors: [] });
    expect(parseDropOutput('NOSOCKET\nEND\n')).toEqual({ socket: false, dropped: 0, errors: [] });
    expect(parseDropOutput(`DROP\t7\t7\t${b('curl: (7) Failed to connect')}\nEND\n`).errors).toEqual(['curl: (7) Failed to connect']);
  });
});
