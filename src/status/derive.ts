// A status answer -> what a human and a monitoring system read (HostLive). Pure: unit-tested on
// recorded answers. Problems come causes first (a stopped BTFS before "nothing is published"),
// so the first line of a host says what to fix. Everything shown is masked (stream keys, push
// targets).
import { parseStat, type StatClient, type StatReport } from '../verify/parse/stat.js';
import type { UnitState } from '../verify/parse/units.js';
import { streamView } from '../verify/checks/stream.js';
import { redact } from '../redact/push-targets.js';
import { streamerRates, type StreamerState } from '../verify/parse/streamer.js';
import type { JournalEntry, StatusObservations } from './parse.js';

export { STALE_SAMPLE_SEC, streamerRates } from '../verify/parse/streamer.js';
import type { HostLive, LiveStatus, PlatformLive, StatusInput, UnitLive } from './types.js';

/** Below this speed the stream falls behind real time. */
export const SLOW_SPEED = 0.95;

const LABEL = { dlive: 'DLive', kick: 'Kick' } as const;

/** How long before systemd's "Failed with result" the unit's own error still explains it. */
const CAUSE_WINDOW_SEC = 30;

/** Lines that only follow the error that says what happened (stunnel's, after a refused connect). */
const FOLLOW_UPS = /No more addresses to connect/;

/**
 * The journal entry that says most recently that something failed: an error (priority err or
 * worse), stunnel's LOG0-LOG3, systemd's "Failed with result". Masked.
 */
export function lastError(entries: JournalEntry[], input: Pick<StatusInput, 'secrets'>, nowUs: number): HostLive['lastError'] {
  const failures = entries.filter(
    (e) => (e.priority <= 3 || /^LOG[0-3]\[/.test(e.message) || /Failed with result/.test(e.message)) && !FOLLOW_UPS.test(e.message),
  );
  let last = failures[failures.length - 1];
  if (!last) return undefined;
  // systemd saying the unit failed: the unit's own last error just before it says why.
  if (last.fromSystemd) {
    const at = last.atUs;
    const unit = last.unit;
    const why = failures.filter((e) => !e.fromSystemd && e.unit === unit && e.atUs <= at && at - e.atUs <= CAUSE_WINDOW_SEC * 1e6).at(-1);
    if (why) last = why;
  }
  return { unit: last.unit, ageSec: Math.max(0, Math.round((nowUs - last.atUs) / 1e6)), message: redact(last.message, input.secrets) };
}

function unitLive(state: UnitState, nowSec: number): UnitLive {
  return {
    unit: state.id,
    active: state.active,
    sub: state.sub,
    restarts: state.restarts,
    ...(state.stateChangeUnix !== undefined ? { sinceSec: Math.max(0, Math.round(nowSec - state.stateChangeUnix)) } : {}),
  };
}

function platformsLive(input: StatusInput, stat: StatReport | undefined): PlatformLive[] {
  if (!stat) return [];
  return streamView(input, stat).pushes.map(({ target, clients }) => {
    const live = clients.filter((c: StatClient) => c.active);
    const best = live[0] ?? clients[0];
    const state = live.length > 0 ? 'connected' : clients.length > 0 ? 'connecting' : 'disconnected';
    return {
      platform: target.platform,
      state,
      ...(best && state === 'connected' ? { connectedForSec: Math.round(best.timeMs / 1000), dropped: best.dropped } : {}),
      clientIds: clients.map((c) => c.id),
    };
  });
}

/** The daemon's state from its unit and from what go-btfs said of its current start. */
function btfsLive(unit: UnitState | undefined, daemon: StatusObservations['btfs'], gatewayUp: boolean): Pick<HostLive, 'btfs'> {
  if (!unit) return {};
  // A daemon up for weeks may have had its "Daemon is ready" vacuumed from the journal: a gateway
  // that serves says it as well.
  const state =
    unit.active === 'active'
      ? daemon.said?.ready === false
        ? 'waiting-for-funds'
        : daemon.said?.ready || gatewayUp
          ? 'ready'
          : 'starting'
      : unit.sub === 'auto-restart' || unit.active === 'activating'
        ? 'restarting'
        : 'stopped';
  return {
    btfs: {
      state,
      ...(state === 'waiting-for-funds' && daemon.said && !daemon.said.ready ? { fundingAddress: daemon.said.fundingAddress } : {}),
      ...(daemon.memoryBytes !== undefined ? { memoryMiB: Math.round(daemon.memoryBytes / 1048576) } : {}),
      restarts: unit.restarts,
    },
  };
}

function duration(sec: number): string {
  if (sec < 120) return `${sec} s`;
  if (sec < 7200) return `${Math.round(sec / 60)} min`;
  return `${Math.round(sec / 3600)} h`;
}

/** What is wrong, causes first: units, then the source, then the stream, then each platform. */
function problemsOf(input: StatusInput, live: Omit<HostLive, 'problems' | 'status'>, o: StatusObservations): string[] {
  const problems: string[] = [];
  const units = input.units;
  for (const u of live.units) {
    if (u.active === 'active') continue;
    const since = u.sinceSec !== undefined ? ` for ${duration(u.sinceSec)}` : '';
    const state = `${u.unit} is ${u.active} (${u.sub})${since}`;
    if (u.unit === units.btfs) problems.push(`${state}: the streamer has no source (the BTFS gateway)`);
    else if (u.unit === units.nginx) problems.push(`${state}: no relay, nothing reaches the platforms`);
    else if (u.unit === units.stunnel) problems.push(`${state}: no tunnel to Kick`);
    else if (u.unit === units.orbis && u.sub === 'auto-restart') problems.push(`${state}: it failed and systemd restarts it (${u.restarts} restart${u.restarts === 1 ? '' : 's'} so far)`);
    else if (u.unit === units.orbis && o.unitSamples.at(-1)?.units[u.unit]?.result === 'start-limit-hit') problems.push(`${state}: it failed too often and systemd gave up; fix the cause, then \`orbis provision\` starts it again`);
    else problems.push(state);
  }
  if (live.btfs?.state === 'waiting-for-funds') {
    problems.push(
      `btfs is a full node waiting for its address ${live.btfs.fundingAddress ?? ''} to hold BTT for gas: it opens no gateway until then; ` +
        'set BTFS_MODE=forcer-simple and provision (a gateway-only node), or fund it and set BTFS_MODE=complet',
    );
  }
  if (live.gateway === 'down') problems.push(`the BTFS gateway does not answer${o.gateway?.error ? ` (${redact(o.gateway.error, input.secrets)})` : ''}`);
  if (!o.stat || o.stat.rc !== 0 || o.stat.code !== 200) problems.push('nginx-rtmp\'s /stat does not answer: the stream cannot be seen');
  else if (!live.stream?.publishing) problems.push(`nothing is published into ${input.rtmp.application}: the streamer (${units.orbis}) is not streaming`);
  else {
    for (const p of live.platforms) {
      if (p.state === 'connected') continue;
      const why = p.state === 'connecting' ? 'its push is connecting' : 'no push';
      problems.push(`${LABEL[p.platform]}: ${why}; nginx-rtmp retries every ${input.pushReconnectSec} s`);
    }
    if (live.stream.onAir === 'slate') {
      const since = live.stream.onAirForSec !== undefined ? ` for ${duration(live.stream.onAirForSec)}` : '';
      problems.push(`on the slate${since}: ${live.stream.slateReason ?? 'no video can be played'}; the playlist resumes at the next video the gateway serves`);
    }
    for (const s of live.stream.skipped ?? []) problems.push(`skipped ${duration(s.agoSec)} ago: ${s.source} (${s.why})`);
    const speed = live.stream.speed;
    if (speed !== undefined && speed < SLOW_SPEED) problems.push(`the stream runs at ${speed}x real time: the encoder or the source cannot keep up`);
  }
  return problems;
}

function statusOf(live: Omit<HostLive, 'problems' | 'status'>): LiveStatus {
  if (!live.stream?.publishing) return 'down';
  const allConnected = live.platforms.every((p) => p.state === 'connected');
  const allActive = live.units.every((u) => u.active === 'active');
  // A stream from a BTFS daemon that is not ready (waiting for funds) plays what it still has.
  const sourceReady = live.btfs === undefined || live.btfs.state === 'ready';
  const playing = live.stream.onAir !== 'slate' && (live.stream.skipped ?? []).length === 0;
  return allConnected && allActive && sourceReady && playing ? 'ok' : 'degraded';
}

/** What the streamer says is on air, and the videos it skipped (their messages masked like any text from the Pi). */
function onAirLive(streamer: StreamerState, nowUs: number, secrets: StatusInput['secrets']): Partial<NonNullable<HostLive['stream']>> {
  const on = streamer.onAir;
  const ago = (us: number): number => Math.max(0, Math.round((nowUs - us) / 1e6));
  return {
    ...(on
      ? {
          onAir: on.what,
          ...(on.sinceUs > 0 ? { onAirForSec: ago(on.sinceUs) } : {}),
          ...(on.what === 'video' ? { item: on.item, ...(on.source ? { source: redact(on.source, secrets) } : {}) } : {}),
          ...(on.what === 'slate' && on.reason ? { slateReason: redact(on.reason, secrets) } : {}),
        }
      : {}),
    ...(streamer.skips.length > 0 ? { skipped: streamer.skips.map((s) => ({ source: redact(s.source, secrets), why: redact(s.why, secrets), agoSec: ago(s.atUs) })) } : {}),
  };
}

export function deriveLive(name: string, input: StatusInput, o: StatusObservations, at: Date, roundTrips: number): HostLive {
  const nowSec = o.now ?? at.getTime() / 1000;
  const nowUs = nowSec * 1e6;
  const sample = o.unitSamples.at(-1)?.units ?? {};
  const units = Object.values(input.units).map((id) => sample[id]).filter((u): u is UnitState => u !== undefined).map((u) => unitLive(u, nowSec));
  const stat = o.stat && o.stat.rc === 0 && o.stat.code === 200 ? parseStat(o.stat.body) : undefined;
  const view = stat ? streamView(input, stat) : undefined;
  const publisher = view?.publishers[0];
  const rates = streamerRates(o.streamer.samples, nowUs);
  const orbis = sample[input.units.orbis];
  const round = o.streamer.round;
  const live: Omit<HostLive, 'problems' | 'status'> = {
    name,
    at: at.toISOString(),
    ...(stat
      ? {
          stream: {
            publishing: publisher !== undefined,
            ...(publisher
              ? {
                  publishingForSec: Math.round(publisher.client.timeMs / 1000),
                  inKbps: Math.round(publisher.stream.bwIn / 1000),
                  outKbps: Math.round(publisher.stream.bwOut / 1000),
                  ...(rates ?? {}),
                  ...(round && round.round > 0 ? { round: round.round, videos: round.videos } : {}),
                  ...onAirLive(o.streamer, nowUs, input.secrets),
                }
              : {}),
          },
        }
      : {}),
    platforms: platformsLive(input, stat),
    units,
    ...(orbis?.active === 'active' && orbis.activeEnterUnix !== undefined ? { uptimeSec: Math.max(0, Math.round(nowSec - orbis.activeEnterUnix)) } : {}),
    ...(orbis ? { restarts: orbis.restarts } : {}),
    ...btfsLive(sample[input.units.btfs], o.btfs, o.gateway?.rc === 0 && (o.gateway.code === 200 || o.gateway.code === 206)),
    ...(o.cache
      ? {
          cache: {
            disabled: o.cache.disabled,
            videos: o.cache.videos,
            ahead: o.cache.ahead,
            cached: o.cache.cached,
            heldMiB: Math.round(o.cache.heldBytes / 1048576),
            writtenTodayMiB: Math.round(o.cache.writtenTodayBytes / 1048576),
            ...(o.cache.blocked ? { blocked: redact(o.cache.blocked, input.secrets) } : {}),
          },
        }
      : {}),
    ...(o.gateway ? { gateway: o.gateway.rc === 0 && (o.gateway.code === 200 || o.gateway.code === 206) ? ('up' as const) : ('down' as const) } : {}),
    ...(() => {
      const e = lastError(o.journal, input, nowUs);
      return e ? { lastError: e } : {};
    })(),
    roundTrips,
  };
  const { name: _name, ...rest } = live;
  return { name, status: statusOf(live), ...rest, problems: problemsOf(input, live, o) };
}
