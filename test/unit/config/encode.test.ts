import { describe, expect, it } from 'vitest';
import { deriveEncodeSettings } from '../../../src/config/encode.js';
import { formatIssue, formatIssues } from '../../../src/config/errors.js';
import { loadSettings } from '../../../src/config/load.js';
import { configErrorOf, haveUpstreamConf, upstreamConfPath } from './helpers.js';

const FILE = 'conf/orbis.conf';
const load = (confText: string, vars: string[] = []) => loadSettings({ confPath: FILE, confText, env: {}, vars });
const errorsOf = (confText: string, vars: string[] = []) => configErrorOf(() => load(confText, vars)).issues.map(formatIssue);

describe('which platforms are on', () => {
  it.each([
    ['', [], ['dlive', 'kick']],
    ['KICK_ACTIF=false\n', [], ['dlive']],
    ['DLIVE_ACTIF=false\n', [], ['kick']],
    ['DLIVE_ACTIF=false\n', ['PLATEFORMES=toutes'], ['dlive', 'kick']],
    ['', ['PLATEFORMES=kick'], ['kick']],
    ['PLATEFORMES=dlive\n', [], ['dlive']],
  ])('%j with %j: %j', (conf, vars, expected) => {
    expect(load(conf, vars).platforms).toEqual(expected);
  });

  it('none on is an error', () => {
    expect(errorsOf('DLIVE_ACTIF=false\nKICK_ACTIF=false\n')).toEqual([
      'conf/orbis.conf:1:13: DLIVE_ACTIF: DLive and Kick are both off (DLIVE_ACTIF=false and KICK_ACTIF=false): there is nowhere to stream (hint: set DLIVE_ACTIF=true or KICK_ACTIF=true, or choose with --platforms dlive|kick|toutes)',
    ]);
  });
});

describe('the single encode, both platforms on', () => {
  it.skipIf(!haveUpstreamConf)('upstream\'s 3500 and 4000 load: the lower one is encoded', () => {
    const { encode } = loadSettings({ confPath: upstreamConfPath, env: {} });
    expect(encode).toEqual({
      platforms: ['dlive', 'kick'], videoBitrateKbps: 3500, audioBitrateKbps: 160, fps: 30, gop: 60, keyframeSeconds: 2,
      sampleRateHz: 44100, channels: 2, width: 1280, height: 720, encoder: 'h264_v4l2m2m', preset: 'ultrafast',
      profile: 'main', level: '4.0', videoBitrateFrom: 'DLIVE_BITRATE_VIDEO', audioBitrateFrom: 'DLIVE_BITRATE_AUDIO',
    });
  });

  it('takes the lower per-platform bitrate when both lie in the overlap', () => {
    const { encode } = load('DLIVE_BITRATE_VIDEO=4500\nKICK_BITRATE_VIDEO=3800\n');
    expect(encode).toMatchObject({ videoBitrateKbps: 3800, videoBitrateFrom: 'KICK_BITRATE_VIDEO' });
  });

  it('an explicit ENCODAGE_BITRATE_VIDEO wins over both', () => {
    const { encode } = load('ENCODAGE_BITRATE_VIDEO=4200\nENCODAGE_BITRATE_AUDIO=160\n');
    expect(encode).toMatchObject({ videoBitrateKbps: 4200, videoBitrateFrom: 'ENCODAGE_BITRATE_VIDEO', audioBitrateFrom: 'ENCODAGE_BITRATE_AUDIO' });
  });

  it('a per-platform video bitrate outside the overlap names both ranges and its position', () => {
    expect(errorsOf('# below Kick\nDLIVE_BITRATE_VIDEO=3000   # kbps\n')).toEqual([
      'conf/orbis.conf:2:21: DLIVE_BITRATE_VIDEO: 3000 kbps does not suit both platforms: one encode feeds DLive and Kick, whose video bitrate ranges are DLive 2500-4500 kbps, Kick 3500-6000 kbps, so it must be 3500-4500 kbps (hint: set DLIVE_BITRATE_VIDEO from 3500 to 4500, or stream to one platform only (--platforms dlive or kick, or *_ACTIF=false))',
    ]);
  });

  it('refuses an out-of-overlap value even when the other one would be chosen', () => {
    const [error] = errorsOf('KICK_BITRATE_VIDEO=6000\n');
    expect(error).toMatch(/^conf\/orbis\.conf:1:20: KICK_BITRATE_VIDEO: 6000 kbps does not suit both platforms: .*DLive 2500-4500 kbps, Kick 3500-6000 kbps, so it must be 3500-4500 kbps/);
  });

  it('an explicit encode bitrate outside the overlap is refused, wherever it comes from', () => {
    const error = configErrorOf(() => loadSettings({ env: { ORBIS_ENCODAGE_BITRATE_VIDEO: '5000' } }));
    expect(error.message).toMatch(/^environment ORBIS_ENCODAGE_BITRATE_VIDEO: 5000 kbps does not suit both platforms: .*DLive 2500-4500 kbps, Kick 3500-6000 kbps/);
  });

  it('audio: the overlap is 160 kbps exactly', () => {
    expect(errorsOf('DLIVE_BITRATE_AUDIO=128\n')).toEqual([
      'conf/orbis.conf:1:21: DLIVE_BITRATE_AUDIO: 128 kbps does not suit both platforms: one encode feeds DLive and Kick, whose audio bitrate ranges are DLive 128-160 kbps, Kick 160 kbps, so it must be 160 kbps (hint: set DLIVE_BITRATE_AUDIO to 160, or stream to one platform only (--platforms dlive or kick, or *_ACTIF=false))',
    ]);
  });

  it('frame rate: 30 only', () => {
    expect(errorsOf('DEBIT_IMAGES=60\n')).toEqual([
      'conf/orbis.conf:1:14: DEBIT_IMAGES: 60 fps does not suit both platforms: one encode feeds DLive and Kick, which accept DLive 30 fps, Kick 30 or 60 fps, so it must be 30 fps (hint: set DEBIT_IMAGES=30)',
    ]);
  });

  it('reports every setting outside the overlap at once, in file order', () => {
    expect(errorsOf('KICK_BITRATE_VIDEO=5000\nDLIVE_BITRATE_VIDEO=2600\nKICK_BITRATE_AUDIO=128\n').map((e) => e.split(': ').slice(0, 2).join(': '))).toEqual([
      'conf/orbis.conf:1:20: KICK_BITRATE_VIDEO', 'conf/orbis.conf:2:21: DLIVE_BITRATE_VIDEO', 'conf/orbis.conf:3:20: KICK_BITRATE_AUDIO',
    ]);
  });
});

describe('the encode with one platform on: that platform\'s own settings and range', () => {
  it('DLive alone: its own bitrate, down to 2500', () => {
    expect(load('KICK_ACTIF=false\nDLIVE_BITRATE_VIDEO=2500\nDLIVE_BITRATE_AUDIO=128\nKICK_BITRATE_VIDEO=9000\n').encode).toMatchObject({
      platforms: ['dlive'], videoBitrateKbps: 2500, audioBitrateKbps: 128, videoBitrateFrom: 'DLIVE_BITRATE_VIDEO',
    });
  });

  it('Kick alone: up to 6000 kbps and 60 fps, GOP computed as 2 s', () => {
    expect(load('DEBIT_IMAGES=60\nKICK_BITRATE_VIDEO=6000\nDLIVE_BITRATE_VIDEO=2500\n', ['PLATEFORMES=kick']).encode).toMatchObject({
      platforms: ['kick'], videoBitrateKbps: 6000, fps: 60, gop: 120,
    });
  });

  it('DLive alone: a bitrate above its range names only its range', () => {
    expect(errorsOf('KICK_ACTIF=false\nDLIVE_BITRATE_VIDEO=5000\n')).toEqual([
      "conf/orbis.conf:2:21: DLIVE_BITRATE_VIDEO: 5000 kbps is outside DLive's video bitrate range, 2500-4500 kbps (hint: set DLIVE_BITRATE_VIDEO from 2500 to 4500)",
    ]);
  });

  it('DLive alone: 60 fps is refused', () => {
    expect(errorsOf('PLATEFORMES=dlive\nDEBIT_IMAGES=60\n')).toEqual([
      'conf/orbis.conf:2:14: DEBIT_IMAGES: 60 fps is not a frame rate the platform accepts: DLive 30 fps (hint: set DEBIT_IMAGES=30)',
    ]);
  });
});

describe('keyframes, profile and level', () => {
  it('GOP must be 2 s', () => {
    expect(errorsOf('GOP=50\n')).toEqual([
      'conf/orbis.conf:1:5: GOP: 50 frames is a keyframe every 1.67 s at 30 fps; DLive and Kick require one every 2 s, so GOP must be 60 (2 x DEBIT_IMAGES) (hint: set GOP=60, or leave GOP empty and orbis computes it)',
    ]);
  });

  it('warns when the level is too low for the size and rate', () => {
    const { warnings } = load('PLATEFORMES=kick\nLARGEUR_MAX=1920\nHAUTEUR_MAX=1080\nDEBIT_IMAGES=60\n');
    expect(formatIssues(warnings)).toBe('default value: NIVEAU_H264: level 4.0 is too low for 1920x1080 at 60 fps (hint: set NIVEAU_H264=4.2, or lower the size or frame rate)');
  });

  it('warns when the profile is not main', () => {
    const { warnings } = load('PROFIL_H264=high\n');
    expect(formatIssues(warnings)).toBe('conf/orbis.conf:1:13: PROFIL_H264: high: DLive and Kick ask for the main profile (hint: set PROFIL_H264=main)');
  });
});

describe('deriveEncodeSettings on its own', () => {
  it('throws a located ConfigError given origins', () => {
    const loaded = load('');
    const settings = { ...loaded.settings, DEBIT_IMAGES: 25 };
    const error = configErrorOf(() => deriveEncodeSettings(settings, loaded.origins));
    expect(error.message).toMatch(/^default value: DEBIT_IMAGES: 25 fps does not suit both platforms/);
  });
});
