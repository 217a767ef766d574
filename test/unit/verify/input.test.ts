import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/index.js';
import { verifyInputFrom } from '../../../src/verify/input.js';
import { formatVerifyTable } from '../../../src/verify/format.js';
import { DLIVE_KEY, KICK_KEY } from './helpers.js';

const env = { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY };

describe('verifyInputFrom', () => {
  it('derives every endpoint from the settings (defaults)', () => {
    const input = verifyInputFrom(loadSettings({ env }), { encoder: 'libx264' });
    expect(input).toMatchObject({
      units: { nginx: 'nginx.service', btfs: 'btfs.service', orbis: 'orbis.service', stunnel: 'stunnel@kick.service' },
      rtmp: { address: '127.0.0.1', port: 1935, application: 'diffusion' },
      stats: { address: '127.0.0.1', port: 8088 },
      dlive: { host: 'stream.dlive.tv', port: 1935, application: 'live' },
      kick: { host: 'fa723fc1b171.global-contribute.live-video.net', port: 443, application: 'app', stunnelPort: 11935 },
      btfs: { gatewayUrl: 'http://127.0.0.1:8080/btfs', gatewayPort: 8080, apiPort: 5001, swarmPort: 4001, swarmExposed: false },
      encode: { width: 1280, height: 720, fps: 30, encoder: { name: 'libx264' } },
      ffmpegUser: 'orbis',
    });
    expect(input.encode.encoder?.args).toContain('-b:v 3500k');
    // Keys only as Secrets: printing the input never shows them.
    expect(input.secrets.map((s) => s.reveal()).sort()).toEqual([DLIVE_KEY, KICK_KEY].sort());
    expect(JSON.stringify(input)).not.toContain(DLIVE_KEY);
  });

  it('one setting drives each check: the upstream port 9935, a DLive port, one platform', () => {
    const input = verifyInputFrom(loadSettings({ env, vars: ['NGINX_PORT_RTMP=9935', 'DLIVE_SERVEUR=rtmp://eu.dlive.example:1936/live2', 'KICK_ACTIF=false'] }), { encoder: 'libx264' });
    expect(input.rtmp.port).toBe(9935);
    expect(input.dlive).toEqual({ host: 'eu.dlive.example', port: 1936, application: 'live2' });
    expect(input.kick).toBeUndefined();
    expect(input.units.stunnel).toBeUndefined();
  });

  it('without a decided encoder: an explicit setting is used, auto is left to the host', () => {
    expect(verifyInputFrom(loadSettings({ env, vars: ['ENCODEUR_VIDEO=h264_v4l2m2m'] })).encode.encoder?.name).toBe('h264_v4l2m2m');
    const auto = verifyInputFrom(loadSettings({ env }));
    expect(auto.encode.encoder).toBeNull();
    expect(Object.keys(auto.encode.candidates).sort()).toEqual(['h264_v4l2m2m', 'libx264']);
  });
});

describe('the terminal table', () => {
  it('shows check, status, value, and the hint under what did not pass', () => {
    const text = formatVerifyTable('pi@salon', [
      { name: 'unit.nginx', status: 'pass', value: 'active' },
      { name: 'tls.kick', status: 'fail', value: 'hostname mismatch', hint: 'check /etc/hosts' },
      { name: 'clock', status: 'warn', value: 'not synchronised', hint: 'timedatectl set-ntp true' },
    ]);
    expect(text).toBe(
      [
        '== pi@salon: 1 pass, 1 warn, 1 fail',
        'CHECK       STATUS  VALUE',
        'unit.nginx  pass    active',
        'tls.kick    FAIL    hostname mismatch',
        '                    hint: check /etc/hosts',
        'clock       WARN    not synchronised',
        '                    hint: timedatectl set-ntp true',
        '',
      ].join('\n'),
    );
  });
});
