import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVerifyScript, ffmpegTimeLimitSec } from '../../../src/verify/script.js';
import { DLIVE_KEY, KICK_KEY, labInput } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'orbis-verify-script-'));
function bashSyntaxOk(script: string): void {
  const file = join(dir, 'script.sh');
  writeFileSync(file, script);
  execFileSync('bash', ['-n', file]);
}
const opts = { seconds: 10, minSpeed: 1.2 };

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

  it('full: s_client with host-name and chain verification, TCP to DLive, the FFmpeg test without -re as the streamer user', () => {
    const script = buildVerifyScript(labInput(), 'full', opts);
    expect(script).toContain('openssl s_client -connect fa723fc1b171.global-contribute.live-video.net:443 -servername fa723fc1b171.global-contribute.live-video.net -verify_hostname fa723fc1b171.global-contribute.live-video.net -verify_return_error -brief </dev/null');
    expect(script).toMatch(/timeout 5 bash -c 'exec 3<>"\/dev\/tcp\/\$0\/\$1"' stream\.dlive\.tv 1935/);
    expect(script).toContain("u=orbis; id -u \"$u\" >/dev/null 2>&1 || u=nobody");
    expect(script).toContain(`runuser -u "$u" -- timeout -k 5 ${ffmpegTimeLimitSec(opts)} ffmpeg`);
    expect(script).toContain('-i http://127.0.0.1:8080/btfs/QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2 -t 10');
    expect(script).toContain("'scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p'");
    expect(script).toContain('set -- -c:v libx264 -preset ultrafast -profile:v main');
    expect(script).not.toMatch(/ffmpeg[^\n]* -re /);
    expect(script).toContain('http://127.0.0.1:8088/stat');
    // Two unit samples: before and after the FFmpeg test.
    expect(script.match(/^printf 'UNITS/gm)).toHaveLength(2);
  });

  it('settle: only units, listeners, gateway and /stat', () => {
    const script = buildVerifyScript(labInput(), 'settle', opts);
    expect(script).not.toContain('openssl');
    expect(script).not.toContain('ffmpeg');
    expect(script).toContain('ss -Htulnp');
  });

  it('auto without facts: the encoder the host was provisioned with', () => {
    const script = buildVerifyScript(labInput([], null), 'ffmpeg', opts);
    expect(script).toContain("sed -n 's/^ENCODEUR_VIDEO=//p' /etc/orbis/encodeur.env");
    expect(script).toContain('h264_v4l2m2m) set -- -c:v h264_v4l2m2m');
  });

  it('runs on this machine: tagged lines end with END (settle kind)', () => {
    const out = execFileSync('bash', ['-s'], { input: buildVerifyScript(labInput(), 'settle', opts), encoding: 'utf8' });
    expect(out.split('\n')[0]).toMatch(/^NOW\t\d+\.\d+$/);
    expect(out.trimEnd().split('\n').pop()).toBe('END');
  });
});
