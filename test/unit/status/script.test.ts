import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDropScript, NGINX_CONTROL_SOCKET, parseDropOutput } from '../../../src/status/reconnect.js';
import { parseStatusOutput } from '../../../src/status/parse.js';
import { buildStatusScript, STREAMER_RUNTIME_DIR } from '../../../src/status/script.js';
import { ScriptSandbox, tags } from '../verify/sandbox.js';
import { DLIVE_KEY, ETAT_OK, fixture, journalLine, KICK_KEY, NOW, statusInput, unitsText } from './helpers.js';
import { dropSandbox } from './drop-sandbox.js';

function bashAccepts(script: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'orbis-status-')), 'script.sh');
  writeFileSync(file, script);
  expect(() => execFileSync('bash', ['-n', file])).not.toThrow();
}

/** A value of the script's inputs replaced (a path moved into the sandbox), checked to be there. */
function moved(script: string, from: string, to: string): string {
  expect(script).toContain(from);
  return script.split(from).join(to);
}

const STUNNEL_LOG = journalLine(NOW - 2, 'stunnel@kick.service', 'LOG3[0]: SSL_connect: Connection reset by peer');
const STUNNEL_INFO = journalLine(NOW - 1, 'stunnel@kick.service', 'LOG5[0]: Service [kick] accepted connection');
const FAILED = journalLine(NOW - 1, 'nginx.service', 'nginx.service: Failed with result exit-code.', 4, true);
const ERROR = journalLine(NOW - 3, 'orbis.service', 'push lost', 3);

/** A lab Pi's systemctl and journalctl; the journal answers by the options it is asked with. */
const FAKES: Record<string, string> = {
  systemctl: [
    'case "$*" in',
    '  *InvocationID*) echo 0123abcd ;;',
    '  *MemoryCurrent*) echo 94371840 ;;',
    `  *) cat <<'EOF'\n${unitsText()}\nEOF\n ;;`,
    'esac',
  ].join('\n'),
  journalctl: [
    'case "$*" in',
    "  *_SYSTEMD_INVOCATION_ID=0123abcd*) printf 'Swarm listening\\nDaemon is ready\\nsomething later\\n' ;;",
    `  *'-p err'*) echo '${ERROR}' ;;`,
    `  *'-n 400'*) echo '${STUNNEL_LOG}'; echo '${STUNNEL_INFO}' ;;`,
    `  *'-p warning'*) echo '${FAILED}'; echo '${STUNNEL_INFO}' ;;`,
    'esac',
  ].join('\n'),
  curl: [
    'out=; url=; while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift ;; -w|-r|-X|--max-time) shift ;; *) url=$1 ;; esac; shift; done',
    `case "$url" in */stat) cat "$SANDBOX/stat.xml" > "$out"; printf 200 ;; */api/v1/id) printf 401 ;; *) printf '206 512 0.001' ;; esac`,
  ].join('\n'),
};

describe('the status script', () => {
  let box: ScriptSandbox;
  beforeAll(() => {
    box = new ScriptSandbox();
    box.file('stat.xml', fixture('stat-lab.xml'));
    box.file('etat', ETAT_OK);
    box.file('tour', 'round=7\nstarted=1\nvideos=2\n');
    for (const [name, body] of Object.entries(FAKES)) box.fake(name, body);
  });
  afterAll(() => box.close());
  const run = (script: string) => box.run(moved(script, `STREAMER_DIR=${STREAMER_RUNTIME_DIR}\n`, `STREAMER_DIR=${box.dir}\n`));

  it('is bash, carries no key, reads /stat, the units, the streamer and the journal', () => {
    const script = buildStatusScript(statusInput());
    bashAccepts(script);
    expect(script).not.toContain(DLIVE_KEY);
    expect(script).not.toContain(KICK_KEY);
    const r = run(script);
    expect(r.code).toBe(0);
    expect(tags(r.stdout)).toEqual(['NOW', 'UNITS', 'GW', 'API', 'STAT', 'BTFS', 'STREAMER', 'JOURNAL', 'END']);
    expect(r.calls).toContain('curl -sS -o /dev/null -X POST --max-time 5 -w %{http_code} http://127.0.0.1:5001/api/v1/id');
    expect(r.calls.some((c) => c.startsWith('curl ') && c.endsWith(' http://127.0.0.1:8088/stat'))).toBe(true);
    expect(r.calls).toContain('systemctl show --no-pager --timestamp=unix -p Id,LoadState,ActiveState,SubState,UnitFileState,NRestarts,Result,ExecMainStatus,ActiveEnterTimestampMonotonic,ActiveEnterTimestamp,StateChangeTimestamp -- nginx.service btfs.service orbis.service stunnel@kick.service');
    expect(r.calls).toContain('journalctl --no-pager -q -o json --output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,UNIT -n 400 -u stunnel@kick.service');
    expect(r.calls).toContain('journalctl --no-pager -q -o json --output-fields=MESSAGE,PRIORITY,_SYSTEMD_UNIT,UNIT -p err -n 5 -u nginx.service -u btfs.service -u orbis.service -u stunnel@kick.service');
    const o = parseStatusOutput(r.stdout);
    expect(o.complete).toBe(true);
    expect(o.stat).toMatchObject({ rc: 0, code: 200, body: fixture('stat-lab.xml') });
    expect(o.unitSamples).toHaveLength(1);
    expect(o.streamer.samples).toHaveLength(2);
    expect(o.streamer.round).toMatchObject({ round: 7, videos: 2 });
    expect(o.btfs).toEqual({ said: { ready: true }, memoryBytes: 94371840 });
    // Errors, stunnel's LOG0-3 lines, systemd's failures: not stunnel's notices.
    expect(o.journal.map((e) => e.message)).toEqual(['push lost', 'LOG3[0]: SSL_connect: Connection reset by peer', 'nginx.service: Failed with result exit-code.']);
  });

  it('without Kick it does not ask about stunnel', () => {
    const r = run(buildStatusScript(statusInput(['PLATEFORMES=dlive'])));
    expect(r.calls.filter((c) => c.includes('stunnel'))).toEqual([]);
    expect(parseStatusOutput(r.stdout).journal.map((e) => e.message)).toEqual(['push lost', 'nginx.service: Failed with result exit-code.']);
  });

  it('a streamer that is not running: empty state, the rest still answers', () => {
    const script = moved(buildStatusScript(statusInput()), `STREAMER_DIR=${STREAMER_RUNTIME_DIR}\n`, `STREAMER_DIR=${join(box.dir, 'none')}\n`);
    const r = box.run(script);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('\nSTREAMER\t\t\t\n');
    expect(parseStatusOutput(r.stdout).complete).toBe(true);
  });
});

describe('the drop script', () => {
  it('drops each push by client id on the control socket, nothing else', async () => {
    const script = buildDropScript('diffusion', [7, 12]);
    bashAccepts(script);
    const pi = await dropSandbox();
    try {
      const r = pi.run(script);
      expect(r.curls).toEqual([
        `-sS --max-time 5 --unix-socket ${pi.socket} http://localhost/control/drop/subscriber?app=diffusion&clientid=7`,
        `-sS --max-time 5 --unix-socket ${pi.socket} http://localhost/control/drop/subscriber?app=diffusion&clientid=12`,
      ]);
      expect(r.curls.join('\n')).not.toContain('publisher');
      expect(parseDropOutput(r.stdout)).toEqual({ socket: true, dropped: 2, errors: [] });
      expect(tags(r.stdout)).toEqual(['NOW', 'DROP', 'DROP', 'END']);
    } finally {
      pi.close();
    }
  });

  it('an application name is one URL parameter, whatever it holds', async () => {
    const pi = await dropSandbox();
    try {
      expect(pi.run(buildDropScript('a&b c', [3])).curls[0]).toMatch(/\?app=a%26b%20c&clientid=3$/);
    } finally {
      pi.close();
    }
  });

  it('no socket: NOSOCKET, nothing asked', async () => {
    const pi = await dropSandbox({ socket: false });
    try {
      const r = pi.run(buildDropScript('diffusion', [7]));
      expect(r.curls).toEqual([]);
      expect(tags(r.stdout)).toEqual(['NOW', 'NOSOCKET', 'END']);
    } finally {
      pi.close();
    }
  });

  it('is sent to the control socket the nginx template makes', () => {
    expect(buildDropScript('diffusion', [7])).toContain(`\nCONTROL_SOCKET=${NGINX_CONTROL_SOCKET}\n`);
  });

  it('reads how many sessions nginx dropped, a missing socket, and refusals', () => {
    const b = (s: string) => Buffer.from(s).toString('base64');
    expect(parseDropOutput(`DROP\t7\t0\t${b('1')}\nEND\n`)).toEqual({ socket: true, dropped: 1, errors: [] });
    expect(parseDropOutput('NOSOCKET\nEND\n')).toEqual({ socket: false, dropped: 0, errors: [] });
    expect(parseDropOutput(`DROP\t7\t7\t${b('curl: (7) Failed to connect')}\nEND\n`).errors).toEqual(['curl: (7) Failed to connect']);
  });
});
