import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerifyOutput } from '../../../src/verify/parse/output.js';
import { buildVerifyScript, ffmpegTimeLimitSec } from '../../../src/verify/script.js';
import { CERT_TEXT, DLIVE_KEY, fixture, KICK_HOST, KICK_KEY, labInput, TLS_OK, unitsText } from './helpers.js';
import { ScriptSandbox, tagged, tags, unb64 } from './sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-verify-script-'));
function bashSyntaxOk(script: string): void {
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  execFileSync('bash', ['-n', file]);
}
const opts = { seconds: 10, minSpeed: 1.2 };
const REAL_DATE = execFileSync('sh', ['-c', 'command -v date'], { encoding: 'utf8' }).trim();
const GATEWAY = 'http://127.0.0.1:8080/btfs/QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2';

/** The stack's commands as on a healthy lab host. */
const FAKES: Record<string, string> = {
  systemctl: `cat <<'EOF'\n${unitsText()}\nEOF`,
  // curl: the URL is its last argument; -o FILE, -w FORMAT as curl has them.
  curl: [
    'out=; url=; while [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift ;; -w|-r|-X|--max-time|--unix-socket) shift ;; *) url=$1 ;; esac; shift; done',
    'case "$url" in',
    `  */stat) cat "$SANDBOX/stat.xml" > "$out"; printf 200 ;;`,
    '  */api/v1/id) printf 401 ;;',
    "  *) printf '206 512 0.001' ;;",
    'esac',
  ].join('\n'),
  ss: `echo 'tcp LISTEN 0 511 0.0.0.0:1935 0.0.0.0:* users:(("node",pid=${process.pid},fd=3))'`,
  'systemd-detect-virt': 'echo none',
  timedatectl: "printf 'NTP=yes\\nNTPSynchronized=yes\\n'",
  getent: 'echo "10.216.0.2      STREAM $3"',
  // nginx -T as the lab has it: the push URLs, stream key included, around the markers.
  nginx: [
    'case "$1" in',
    `  -T) echo 'nginx: configuration file /etc/nginx/nginx.conf test is successful' >&2; echo '# configuration file /etc/nginx/nginx.conf:'; echo 'load_module modules/ngx_rtmp_module.so;'; echo 'push rtmp://stream.dlive.tv/live/${DLIVE_KEY};'; echo 'push rtmp://127.0.0.1:11935/app/${KICK_KEY};' ;;`,
    'esac',
  ].join('\n'),
  openssl: [
    'case "$1" in',
    `  s_client) case "$*" in *-brief*) cat <<'EOF'\n${TLS_OK}EOF\n ;; *) echo '-----BEGIN CERTIFICATE-----' ;; esac ;;`,
    `  x509) cat > /dev/null; cat <<'EOF'\n${CERT_TEXT}EOF\n ;;`,
    'esac',
  ].join('\n'),
  id: 'exit 0',
  // runuser -u USER -- COMMAND...: runs COMMAND.
  runuser: 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"',
  ffmpeg: "echo 'frame=  300 fps=150 q=-0.0 Lsize=N/A time=00:00:10.00 bitrate=N/A speed=5.0x' >&2",
};

describe('verify scripts', () => {
  it('are valid bash, for every kind and platform choice', () => {
    for (const vars of [[], ['KICK_ACTIF=false'], ['DLIVE_ACTIF=false']]) {
      for (const kind of ['full', 'settle', 'ffmpeg'] as const) {
        bashSyntaxOk(buildVerifyScript(labInput(vars), kind, opts));
        bashSyntaxOk(buildVerifyScript(labInput(vars, null), kind, opts));
      }
    }
  });

  it('never carry a stream key', () => {
    const script = buildVerifyScript(labInput(), 'full', opts);
    expect(script).not.toContain(DLIVE_KEY);
    expect(script).not.toContain(KICK_KEY);
  });

  it('runs on this machine: tagged lines end with END (settle kind)', () => {
    const out = execFileSync('bash', ['-s'], { input: buildVerifyScript(labInput(), 'settle', opts), encoding: 'utf8' });
    expect(out.split('\n')[0]).toMatch(/^NOW\t\d+\.\d+$/);
    expect(out.trimEnd().split('\n').pop()).toBe('END');
  });
});

describe('verify scripts, run with the host faked', () => {
  let box: ScriptSandbox;
  beforeAll(() => {
    box = new ScriptSandbox();
    box.file('stat.xml', fixture('stat-lab.xml'));
  });
  afterAll(() => box.close());
  /** Every fake of FAKES, `extra` on top. */
  function host(extra: Record<string, string> = {}): void {
    for (const [name, body] of Object.entries({ ...FAKES, ...extra })) box.fake(name, body);
  }
  function callsOf(calls: string[], name: string): string[] {
    return calls.filter((c) => c.startsWith(`${name} `));
  }

  it('full: s_client with host-name and chain verification, TCP to DLive, the FFmpeg test without -re as the streamer user', async () => {
    host();
    const port = await box.tcpPort();
    const run = box.run(buildVerifyScript(labInput([`DLIVE_SERVEUR=rtmp://127.0.0.1:${port}/app`]), 'full', opts));
    expect(run.code).toBe(0);
    expect(callsOf(run.calls, 'openssl')).toContain(`openssl s_client -connect ${KICK_HOST}:443 -servername ${KICK_HOST} -verify_hostname ${KICK_HOST} -verify_return_error -brief`);
    const o = parseVerifyOutput(run.stdout);
    expect(o.tls).toEqual({ rc: 0, output: TLS_OK });
    expect(o.cert).toBe(CERT_TEXT);
    expect(o.resolved).toEqual({ [KICK_HOST]: '10.216.0.2', '127.0.0.1': '10.216.0.2' });
    // A TCP connection to DLive's host and port, made by bash itself.
    expect(o.dlive).toMatchObject({ rc: 0, error: '' });
    expect(callsOf(run.calls, 'runuser')).toEqual([expect.stringMatching(new RegExp(`^runuser -u orbis -- timeout -k 5 ${ffmpegTimeLimitSec(opts)} ffmpeg `))]);
    const [ffmpeg] = callsOf(run.calls, 'ffmpeg');
    expect(ffmpeg).toContain(`-i ${GATEWAY} -t 10`);
    expect(ffmpeg).toContain(' -vf scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p -c:v libx264 -preset ultrafast -profile:v main');
    expect(ffmpeg).toContain(' -r 30 -c:a aac -b:a 160k -ar 44100 -ac 2 -f null -');
    expect(ffmpeg).not.toMatch(/ -re /);
    expect(o.ffmpeg).toMatchObject({ rc: 0, user: 'orbis', encoder: 'libx264', how: 'configured', log: expect.stringContaining('speed=5.0x') });
    expect(callsOf(run.calls, 'curl').some((c) => c.endsWith(' http://127.0.0.1:8088/stat'))).toBe(true);
    // Two unit samples: before and after the FFmpeg test; the looks side by side in between, their
    // lines in the order asked; the live streamer asked first (none here: the test encode runs).
    expect(tags(run.stdout)).toEqual(['NOW', 'UNITS', 'SS', 'PROCS', 'GW', 'API', 'STAT', 'VIRT', 'TIMEDATE', 'NGINXT', 'NGINXMOD', 'RESOLVE', 'TLS', 'CERT', 'RESOLVE', 'DLIVE', 'LIVE', 'FFMPEG', 'UNITS', 'END']);
    expect(o.live).toMatchObject({ state: 'none' });
    expect(o.unitSamples).toHaveLength(2);
    expect(callsOf(run.calls, 'systemctl')[0]).toBe('systemctl show --no-pager -p Id,LoadState,ActiveState,SubState,UnitFileState,NRestarts,Result,ExecMainStatus,ActiveEnterTimestampMonotonic -- nginx.service btfs.service orbis.service stunnel@kick.service');
  });

  it('full: who listens, and who that process is', () => {
    host();
    const run = box.run(buildVerifyScript(labInput(), 'settle', opts));
    const o = parseVerifyOutput(run.stdout);
    expect(o.listeners?.[0]).toMatchObject({ port: 1935 });
    expect(o.processes[process.pid]).toMatchObject({ pid: process.pid, name: expect.stringMatching(/node|vitest/), commandLine: expect.stringContaining('node') });
    expect(callsOf(run.calls, 'ss')).toEqual(['ss -Htulnp']);
  });

  it('full without Kick, DLive or the FFmpeg test: none of their lines', () => {
    host();
    const { kick: _kick, dlive: _dlive, ...neither } = labInput();
    const run = box.run(buildVerifyScript(neither, 'full', { ...opts, ffmpeg: false }));
    expect(tags(run.stdout)).toEqual(['NOW', 'UNITS', 'SS', 'PROCS', 'GW', 'API', 'STAT', 'VIRT', 'TIMEDATE', 'NGINXT', 'NGINXMOD', 'UNITS', 'END']);
    expect(callsOf(run.calls, 'openssl')).toEqual([]);
    expect(callsOf(run.calls, 'ffmpeg')).toEqual([]);
  });

  it('settle: only units, listeners, gateway, /stat and the live streamer', () => {
    host();
    const run = box.run(buildVerifyScript(labInput(), 'settle', opts));
    expect(tags(run.stdout)).toEqual(['NOW', 'UNITS', 'SS', 'PROCS', 'GW', 'API', 'STAT', 'LIVE', 'END']);
    expect(run.calls.map((c) => c.split(' ')[0])).not.toContain('openssl');
    expect(run.calls.map((c) => c.split(' ')[0])).not.toContain('ffmpeg');
    expect(callsOf(run.calls, 'ss')).toEqual(['ss -Htulnp']);
    const o = parseVerifyOutput(run.stdout);
    expect(o.gateway).toEqual({ rc: 0, code: 206, bytes: 512, seconds: 0.001, error: '' });
    expect(o.api).toEqual({ rc: 0, code: 401 });
    expect(o.stat).toMatchObject({ rc: 0, code: 200, body: fixture('stat-lab.xml') });
    // The gateway and /stat are asked side by side: their calls come in either order.
    expect(callsOf(run.calls, 'curl')).toContain(`curl -sS -o /dev/null -r 0-511 --max-time 10 -w %{http_code} %{size_download} %{time_total} ${GATEWAY}`);
  });

  it('a host without curl: GW, STAT 127 (and no API line)', () => {
    const script = buildVerifyScript(labInput(), 'settle', opts);
    // A missing command: no fake on PATH at all.
    const run = new ScriptSandbox();
    try {
      for (const [name, body] of Object.entries(FAKES)) if (name !== 'curl') run.fake(name, body);
      const out = run.run(script).stdout;
      expect(tagged(out, 'GW')).toEqual([['127', '']]);
      expect(tagged(out, 'STAT')).toEqual([['127', '']]);
      expect(tagged(out, 'API')).toEqual([]);
      expect(parseVerifyOutput(out)).toMatchObject({ gateway: { rc: 127 }, complete: true });
    } finally {
      run.close();
    }
  });

  it('nginx -T: only the file markers and load_module lines leave the host, never a stream key', () => {
    host();
    const run = box.run(buildVerifyScript(labInput(), 'full', { ...opts, ffmpeg: false }));
    expect(run.stdout).not.toContain(DLIVE_KEY);
    expect(run.stdout).not.toContain(KICK_KEY);
    for (const [, field] of tagged(run.stdout, 'NGINXMOD')) expect(unb64(field)).not.toMatch(/dlivedevkey|kickdevkey/);
    const o = parseVerifyOutput(run.stdout);
    expect(o.nginxModules).toEqual({ rc: 0, output: '# configuration file /etc/nginx/nginx.conf:\nload_module modules/ngx_rtmp_module.so;\n' });
    expect(o.nginxTest).toEqual({ rc: 0, output: 'nginx: configuration file /etc/nginx/nginx.conf test is successful\n' });
    // One nginx run: -T tests the configuration (its stderr, its exit code) and dumps it.
    expect(callsOf(run.calls, 'nginx')).toEqual(['nginx -T']);
  });

  it('missing nginx, openssl, ffmpeg: rc 127 each, the rest still runs', () => {
    const bare = new ScriptSandbox();
    try {
      for (const [name, body] of Object.entries(FAKES)) if (!['nginx', 'openssl', 'ffmpeg'].includes(name)) bare.fake(name, body);
      const out = bare.run(buildVerifyScript(labInput(['PLATEFORMES=kick']), 'full', opts)).stdout;
      expect(tagged(out, 'NGINXT')).toEqual([['127', '']]);
      expect(tagged(out, 'NGINXMOD')).toEqual([]);
      expect(tagged(out, 'TLS')).toEqual([['127', '']]);
      expect(tagged(out, 'FFMPEG')).toEqual([['127', '0', 'orbis', 'libx264', 'configured', '']]);
      expect(out.trimEnd().split('\n').pop()).toBe('END');
    } finally {
      bare.close();
    }
  });

  describe('on a Pi that streams: the live streamer instead of a test encode on air', () => {
    const START = 1_795_525_000;
    /** systemctl as the host has it for the streamer: active since START (others: the lab's units). */
    const streamerUp = (active: boolean) => ({
      systemctl: [
        'case "$*" in',
        `  *"-p ActiveEnterTimestamp --timestamp=unix --value"*) echo @${START} ;;`,
        `  *is-active*) exit ${active ? 0 : 3} ;;`,
        `  *) cat <<'EOF'\n${unitsText()}\nEOF\n ;;`,
        'esac',
      ].join('\n'),
    });
    /** The full script with the streamer's files and state moved into the sandbox, `now` the host's time. */
    function runLive(options: { active?: boolean; writtenAt?: number; now: number; etat?: string; tour?: string }) {
      // The host's clock at `now` for what streamer_live asks (date +%s), the real one otherwise.
      host({ ...streamerUp(options.active ?? true), date: `case "$1" in +%s) echo ${options.now} ;; *) exec ${REAL_DATE} "$@" ;; esac` });
      const conf = box.file('orbis.conf', 'LARGEUR=640\n');
      const diffuser = box.file('orbis-diffuser', '#!/bin/bash\n');
      execFileSync('touch', ['-d', `@${options.writtenAt ?? START - 60}`, conf, diffuser]);
      const stateDir = join(box.dir, 'run-orbis');
      execFileSync('mkdir', ['-p', stateDir]);
      writeFileSync(join(stateDir, 'etat'), options.etat ?? '');
      writeFileSync(join(stateDir, 'tour'), options.tour ?? '');
      const script = buildVerifyScript(labInput(), 'full', opts)
        .replace(/^STREAMER_DIR=.*$/m, `STREAMER_DIR=${stateDir}`)
        .replace(/^STREAMER_FILES=.*$/m, `STREAMER_FILES=(${conf} ${diffuser})`);
      return box.run(script);
    }
    afterAll(() => box.fake('date', `exec ${REAL_DATE} "$@"`));
    const etat = (at: number) => `at_us=${at * 1e6} frames=6150 bytes=9 media_us=205000000\nat_us=${(at - 5) * 1e6} frames=6000 bytes=8 media_us=200000000\n`;

    it('fresh samples of a streamer running the settings on disk: LIVE samples, no encode', () => {
      const tour = 'round=3\non_air=slate\nreason=the BTFS gateway does not serve http://127.0.0.1:8080/btfs/QmA (no answer)\n';
      const run = runLive({ now: START + 400, etat: etat(START + 398), tour });
      const o = parseVerifyOutput(run.stdout);
      expect(o.live).toEqual({ state: 'samples', sinceStartSec: 400, etat: etat(START + 398), tour });
      expect(o.ffmpeg).toBeUndefined();
      expect(callsOf(run.calls, 'ffmpeg')).toEqual([]);
    });

    it('started a few seconds ago: starting, no encode (its samples are coming)', () => {
      const run = runLive({ now: START + 4, etat: '' });
      expect(parseVerifyOutput(run.stdout).live).toMatchObject({ state: 'starting', sinceStartSec: 4 });
      expect(callsOf(run.calls, 'ffmpeg')).toEqual([]);
    });

    it('the encode is tested when the streamer runs older settings, is stopped, or stalled', () => {
      for (const options of [
        { now: START + 400, etat: etat(START + 398), writtenAt: START + 100 }, // settings written after its start
        { now: START + 400, etat: etat(START + 398), active: false },
        { now: START + 400, etat: etat(START + 300) }, // the newest sample is 100 s old
      ]) {
        const run = runLive(options);
        const o = parseVerifyOutput(run.stdout);
        expect(o.live?.state, JSON.stringify(options)).toBe('none');
        expect(o.ffmpeg, JSON.stringify(options)).toMatchObject({ rc: 0 });
      }
    });
  });

  it('a streamer user the host does not have: the FFmpeg test runs as nobody', () => {
    host({ id: 'exit 1' });
    const run = box.run(buildVerifyScript(labInput(), 'ffmpeg', opts));
    expect(callsOf(run.calls, 'runuser')[0]).toMatch(/^runuser -u nobody -- /);
    expect(parseVerifyOutput(run.stdout).ffmpeg).toMatchObject({ user: 'nobody' });
  });

  describe('auto without facts: the encoder the host was provisioned with', () => {
    function ffmpegWith(env: string | null): { encoder: string; how: string; args: string } {
      host();
      const path = env === null ? join(box.dir, 'absent.env') : box.file('encodeur.env', env);
      const run = box.run(buildVerifyScript(labInput([], null), 'ffmpeg', opts, path));
      expect(tags(run.stdout)).toEqual(['NOW', 'FFMPEG', 'END']);
      const o = parseVerifyOutput(run.stdout).ffmpeg;
      return { encoder: o?.encoder ?? '', how: o?.how ?? '', args: callsOf(run.calls, 'ffmpeg')[0] ?? '' };
    }

    it('reads ENCODEUR_VIDEO from the env file, as text', () => {
      const r = ffmpegWith('# written by orbis\nENCODEUR_VIDEO=h264_v4l2m2m\nOTHER=1\n');
      expect(r).toMatchObject({ encoder: 'h264_v4l2m2m', how: 'provisioned' });
      expect(r.args).toContain(' -c:v h264_v4l2m2m -g 60 -num_capture_buffers 32 -b:v 3500k -maxrate 3500k -bufsize 7000k -r 30 ');
    });

    it('libx264 assumed when the file is missing or names no candidate', () => {
      for (const env of [null, 'ENCODEUR_VIDEO=$(touch /tmp/orbis-pwned)\n']) {
        const r = ffmpegWith(env);
        expect(r).toMatchObject({ encoder: 'libx264', how: 'assumed' });
        expect(r.args).toContain(' -c:v libx264 -preset ultrafast -profile:v main -level:v 4.0 -x264-params cabac=1 ');
      }
    });

    it('the default path is role ffmpeg\'s', () => {
      expect(buildVerifyScript(labInput([], null), 'ffmpeg', opts)).toContain('\nENCODER_ENV=/etc/orbis/encodeur.env\n');
    });
  });
});
