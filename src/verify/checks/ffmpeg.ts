// The encoder's speed. On a Pi that streams, read from the live streamer: its publisher's media
// time against the wall clock between its two last progress samples (what `orbis status` shows),
// and no second encode competes with it on air (CPU the stream needs). Otherwise the FFmpeg
// null-output test: the streamer's encode (encoder, size, bitrate) of N seconds of the test CID
// read through the gateway, as the unprivileged streamer user, WITHOUT -re (which pins speed at
// 1x and hides the margin). Below --min-speed the live encoder has no headroom and the stream
// drops.
import { parseFfmpegProgress } from '../parse/ffmpeg.js';
import type { LiveStreamer, Observations } from '../parse/output.js';
import { parseStreamerState, streamerRates } from '../parse/streamer.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, warn, type Outcome } from './outcome.js';

export interface FfmpegTestOptions {
  seconds: number;
  minSpeed: number;
  timeLimitSec: number;
}

const SLOW_HINT =
  'the Pi cannot encode with enough headroom: lower LARGEUR_MAX/HAUTEUR_MAX (1280x720 on a Pi 4 in software), pick a faster PRESET_ENCODAGE (ultrafast), use the hardware encoder (ENCODEUR_VIDEO=h264_v4l2m2m on a Pi 4), or lower the bitrate';

/**
 * Below this the live stream falls behind real time (as `orbis status` judges it); a --min-speed
 * set lower (a slow emulated lab Pi, a small Pi accepted as it is) lowers it too.
 */
export const LIVE_MIN_SPEED = 0.95;

export function ffmpegCheck(input: VerifyInput, ff: Observations['ffmpeg'], options: FfmpegTestOptions, live?: LiveStreamer, hostNow?: number): Outcome {
  const name = CHECK.ffmpeg;
  if (live && live.state !== 'none' && !ff) return liveCheck(input, live, hostNow, Math.min(LIVE_MIN_SPEED, options.minSpeed));
  if (!ff) return fail(name, 'not run', 'the verify script stopped before the FFmpeg test');
  if (ff.rc === 127) return fail(name, 'ffmpeg is not installed on the Pi', 'provision the host (role ffmpeg installs it)');
  const e = input.encode;
  const p = parseFfmpegProgress(ff.log);
  const how = ff.how === 'assumed' ? ' (assumed: /etc/orbis/encodeur.env not found)' : '';
  const what = `${e.width}x${e.height} ${ff.encoder}${how}, as ${ff.user}`;
  const media = p.mediaSeconds === undefined ? '?' : p.mediaSeconds.toFixed(1);
  const wall = (ff.ms / 1000).toFixed(1);
  if (ff.rc === 124 || ff.rc === 137) {
    return fail(name, `stopped after ${options.timeLimitSec} s with ${media} s of ${options.seconds} s encoded${p.speed === undefined ? '' : `, speed ${p.speed}x`} (${what})`, SLOW_HINT);
  }
  if (ff.rc !== 0) {
    const error = p.errors.join(' / ') || `exit ${ff.rc}`;
    const inputFailed = /refused|Connection|HTTP error|Server returned|timed out|Input\/output/i.test(error);
    const device = /video11|Permission denied|v4l2/i.test(error);
    const hint = inputFailed
      ? 'FFmpeg could not read the test CID from the BTFS gateway: see the btfs.gateway check'
      : device
        ? `the encoder cannot open its device as ${ff.user}: the streamer user must be in the video group, or choose ENCODEUR_VIDEO=libx264`
        : 'FFmpeg refused the encode: check the encoder arguments (ENCODEUR_VIDEO, PRESET_ENCODAGE, PROFIL_H264, NIVEAU_H264) and run the test by hand on the Pi';
    return fail(name, `FFmpeg failed (${what}): ${error}`, hint, inputFailed ? { needs: [CHECK.btfsGateway] } : {});
  }
  if (p.speed === undefined) return fail(name, `FFmpeg reported no speed (${what})`, 'run the test by hand on the Pi and read its output');
  const value = `speed ${p.speed}x: ${media} s of media in ${wall} s (${what})`;
  if (p.speed < options.minSpeed) return fail(name, `${value}, below the ${options.minSpeed}x minimum`, SLOW_HINT);
  return pass(name, value);
}

/** The live streamer's own speed, or a wait for its first samples (a retry). */
function liveCheck(input: VerifyInput, live: LiveStreamer, hostNow: number | undefined, minSpeed: number): Outcome {
  const name = CHECK.ffmpeg;
  const unit = input.units.orbis;
  if (live.state === 'starting') {
    return fail(name, `${unit} started ${live.sinceStartSec} s ago: waiting for the stream's speed (a sample every 5 s)`, `if this stays, see \`journalctl -u ${unit} -n 50\``, { settle: true, needs: [CHECK.unitOrbis, CHECK.btfsGateway] });
  }
  const { samples, onAir } = parseStreamerState(live.etat, live.tour);
  const rates = streamerRates(samples, (hostNow ?? Date.now() / 1000) * 1e6);
  const [latest, previous] = samples;
  if (!rates || !latest || !previous) {
    return fail(name, `the streamer's progress samples are stale or unreadable`, `see \`journalctl -u ${unit} -n 50\``, { settle: true, needs: [CHECK.unitOrbis] });
  }
  const window = ((latest.atUs - previous.atUs) / 1e6).toFixed(1);
  const e = input.encode;
  const value = `live: ${rates.speed.toFixed(2)}x real time, ${rates.fps} fps over the last ${window} s (${e.width}x${e.height}, streaming for ${live.sinceStartSec} s; no test encode on air)`;
  if (rates.speed < minSpeed) return fail(name, `${value}: the stream falls behind`, SLOW_HINT, { settle: true });
  if (onAir?.what === 'slate') {
    // Live, but not the playlist: the speed is the slate's encode, and the reason is what to fix.
    const since = onAir.sinceUs > 0 && hostNow !== undefined ? ` for ${Math.max(0, Math.round(hostNow - onAir.sinceUs / 1e6))} s` : '';
    return warn(name, `${value}; on the slate${since}: ${onAir.reason ?? 'no video can be played'}`, 'the playlist resumes by itself at the next video the BTFS gateway serves; `orbis status` shows what was skipped and why');
  }
  return pass(name, value);
}
