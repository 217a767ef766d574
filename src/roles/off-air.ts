// What a run does to the channel on air, said before it runs (`--check`, the plan) and in its
// report: which platforms lose the stream, for how long at most, and why (issue #22). Pure: the
// plan's handlers, the platforms the Pi feeds and whether it streams now go in; nothing is asked.
//
// Which restart takes what off air, from how the stack is built:
//   - orbis.service (the streamer): its publish to nginx ends, so every push ends with it; the
//     platforms see the channel go and a new stream start when it publishes again.
//   - nginx.service: the pushes are nginx's; the streamer is restarted with it (PartOf=).
//   - stunnel@kick.service: Kick's push fails and nginx-rtmp tries it again after
//     push_reconnect (NGINX_DELAI_RECONNEXION_PUSH); DLive's push is not touched.
//   - btfs.service: not off air. The streamer puts the slate on air while the gateway is away
//     (or plays on from the prefetch cache, and nothing is seen).
// Everything else (the cache, journald, a file the streamer reads at the next video) leaves the
// channel alone.
import type { Platform } from '../config/platform-limits.js';
import { isUnitRestart, type Handler } from './desired.js';

export interface OnAirEffect {
  /** The Pi streamed when the plan was made (false: nothing to take off air). */
  streaming: boolean;
  /** The platforms that lose the stream during the run; empty: the channel stays on air. */
  offAir: Platform[];
  /** The most seconds each stays off, as announced (0 when none does). */
  upToSec: number;
  /** The restarts that take it off air, e.g. `restart orbis (orbis.service)`. */
  because: string[];
  /** What viewers see that is not off air, e.g. the slate while BTFS restarts. */
  note?: string;
}

/**
 * Seconds off air for a restart of the streamer, at most: its stop (TERM; FFmpeg ends at once),
 * its start until its first packets reach nginx (the first video asked for at most 1 s, or the
 * slate goes on air; FFmpeg's own start), and nginx's pushes connecting to the platforms, which
 * they do as soon as the publish starts. Measured on the lab: 1.7 s (test/e2e/stack.test.ts
 * asserts the gap it measures at the stand-in platforms stays within this); a Pi 4 starts FFmpeg
 * more slowly than the lab's x86 cores, hence the margin.
 */
export const STREAMER_RESTART_SEC = 10;
/** nginx's own stop and start come before the streamer's: a second more. */
export const NGINX_RESTART_SEC = STREAMER_RESTART_SEC + 1;
/** After push_reconnect, Kick's push opens a TLS connection through stunnel: a few seconds. */
export const KICK_TLS_SEC = 5;

export interface OffAirInput {
  /** The handlers the plan will run (name and unit). */
  handlers: ReadonlyArray<Pick<Handler, 'name' | 'unit' | 'action' | 'command'>>;
  /** The platforms this Pi feeds. */
  platforms: readonly Platform[];
  /** The streamer runs now: a Pi that does not stream has nothing to take off air. */
  streaming: boolean;
  /** NGINX_DELAI_RECONNEXION_PUSH. */
  pushReconnectSec: number;
}

export function onAirEffect(input: OffAirInput): OnAirEffect {
  const effect: OnAirEffect = { streaming: input.streaming, offAir: [], upToSec: 0, because: [] };
  if (!input.streaming) return effect;
  const restarted = input.handlers.filter(isUnitRestart);
  const add = (platforms: readonly Platform[], sec: number, why: string): void => {
    for (const p of platforms) if (!effect.offAir.includes(p)) effect.offAir.push(p);
    effect.upToSec = Math.max(effect.upToSec, sec);
    effect.because.push(why);
  };
  for (const h of restarted) {
    const why = `${h.name} (${h.unit ?? ''})`;
    if (h.unit === 'nginx.service') add(input.platforms, NGINX_RESTART_SEC, why);
    else if (h.unit === 'orbis.service') add(input.platforms, STREAMER_RESTART_SEC, why);
    else if (h.unit === 'stunnel@kick.service' && input.platforms.includes('kick')) add(['kick'], input.pushReconnectSec + KICK_TLS_SEC, why);
    else if (h.unit === 'btfs.service') effect.note = 'the slate is on air while BTFS restarts (nothing is seen if the prefetch cache holds the next videos)';
  }
  effect.offAir.sort();
  return effect;
}

const NAMES: Record<Platform, string> = { dlive: 'DLive', kick: 'Kick' };

/** One line for the plan: `off air: DLive and Kick, up to 10 s (restart orbis (orbis.service))`. */
export function describeOnAir(effect: OnAirEffect): string {
  if (!effect.streaming) return 'on air: not streaming now, nothing to take off air';
  const note = effect.note ? `; ${effect.note}` : '';
  if (effect.offAir.length === 0) return `on air: stays on air${note}`;
  const who = effect.offAir.map((p) => NAMES[p]).join(' and ');
  return `on air: ${who} off air for up to ${effect.upToSec} s (${effect.because.join(', ')})${note}`;
}
