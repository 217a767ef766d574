// `orbis reconnect`: the seed's manual reconnection, one platform at a time if asked. nginx-rtmp's
// control module drops the platform's push (by client id, from /stat) on the root-only control
// socket; nginx-rtmp then reconnects it (push_reconnect) on its own. The publisher and the other
// platform's push are not touched, and the report says so (their push is the same connection
// before and after). Round trips per host: 1 to read /stat, 1 to drop, then 1 per second until
// the push is back.
import { composeScript } from '../pi/scripts.js';
import { OBSERVE_FILES } from '../verify/script.js';
import type { Transport } from '../transport/index.js';
import { deriveLive } from './derive.js';
import { observe } from './run.js';
import type { HostLive, Platform, StatusInput } from './types.js';
import { RECONNECT_RECORDS } from '../wire/reconnect.js';
import { decodeRecords } from '../wire/records.js';

/** The control socket (templates/nginx-rtmp/nginx.conf.hbs), in a directory only root enters. */
export const NGINX_CONTROL_SOCKET = '/run/nginx-orbis/control.sock';

const LABEL: Record<Platform, string> = { dlive: 'DLive', kick: 'Kick' };

export interface PlatformReconnect {
  platform: Platform;
  /** Pushes dropped (0: none was there; nginx was retrying it already). */
  dropped: number;
  reconnected: boolean;
  /** Seconds from the drop until a new push was connected. */
  afterSec?: number;
}

export interface UntouchedPush {
  platform: Platform;
  /** The same push connection before and after (it was not dropped). */
  untouched: boolean;
  state: HostLive['platforms'][number]['state'] | 'off';
}

export interface ReconnectOutcome {
  platforms: PlatformReconnect[];
  others: UntouchedPush[];
}

export class ReconnectError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * The drop requests (src/pi/reconnect.sh): one per push client id, answered with how many
 * sessions nginx dropped.
 */
export function buildDropScript(application: string, ids: readonly number[]): string {
  return composeScript({
    vars: { CONTROL_SOCKET: NGINX_CONTROL_SOCKET, APPLICATION: encodeURIComponent(application), CLIENT_IDS: ids.map(String) },
    files: [...OBSERVE_FILES, 'reconnect.sh'],
    main: ['observe_begin', 'drop_pushes', 'observe_end'],
  });
}

export function parseDropOutput(output: string): { socket: boolean; dropped: number; errors: string[] } {
  let dropped = 0;
  const errors: string[] = [];
  let socket = true;
  for (const r of decodeRecords(output, RECONNECT_RECORDS, 'reconnect script')) {
    if (r.tag === 'NOSOCKET') {
      socket = false;
      continue;
    }
    const body = r.answer.trim();
    if (r.rc === 0 && /^\d+$/.test(body)) dropped += Number(body);
    else errors.push(body || `curl exit ${r.rc}`);
  }
  return { socket, dropped, errors };
}

function connectedIds(live: HostLive, platform: Platform): number[] {
  const p = live.platforms.find((x) => x.platform === platform);
  return p && p.state === 'connected' ? p.clientIds : [];
}

export interface ReconnectOptions {
  /** Platforms to reconnect; empty: every enabled one. */
  platforms: readonly Platform[];
  timeoutSec: number;
  /** Between two looks at /stat while waiting; default 1000. */
  pollMs?: number;
  progress?: (message: string) => void;
}

export async function reconnectHost(name: string, transport: Transport, input: StatusInput, options: ReconnectOptions): Promise<ReconnectOutcome> {
  const enabled: Platform[] = [...(input.dlive ? ['dlive' as const] : []), ...(input.kick ? ['kick' as const] : [])];
  const asked = options.platforms.length > 0 ? [...options.platforms] : enabled;
  for (const p of asked) {
    if (!enabled.includes(p)) {
      throw new ReconnectError(`${LABEL[p]} is not enabled for this host (PLATEFORMES)`, `its settings stream to ${enabled.map((x) => LABEL[x]).join(' and ') || 'no platform'}; name one of those, or none to reconnect all`);
    }
  }
  const progress = options.progress ?? (() => undefined);
  const before = deriveLive(name, input, await observe(transport, input), new Date(), 1);
  if (!before.stream) throw new ReconnectError('nginx-rtmp\'s /stat does not answer', `see \`orbis status ${name}\` and \`journalctl -u nginx\``);
  if (!before.stream.publishing) throw new ReconnectError('nothing is published to the relay: there is no push to reconnect', `the streamer is down: see \`orbis status ${name}\``);
  const ids = asked.flatMap((p) => before.platforms.find((x) => x.platform === p)?.clientIds ?? []);
  const startedAt = Date.now();
  if (ids.length > 0) {
    progress(`dropping the ${asked.map((p) => LABEL[p]).join(' and ')} push`);
    const result = await transport.exec('bash -s', { sudo: true, stdin: buildDropScript(input.rtmp.application, ids), timeoutSec: 30, label: 'reconnect (drop)' });
    const drop = parseDropOutput(result.stdout);
    if (!drop.socket) throw new ReconnectError(`nginx's control socket ${NGINX_CONTROL_SOCKET} is missing`, 'this Pi was provisioned by an older orbis: `orbis provision` it again (it adds the socket), then retry');
    if (drop.errors.length > 0) throw new ReconnectError(`nginx refused to drop the push: ${drop.errors.join('; ')}`, 'see /var/log/nginx/error.log');
  }
  const dropped = new Set(ids);
  const done = new Map<Platform, number>();
  let now = before;
  for (;;) {
    for (const p of asked) {
      if (!done.has(p) && connectedIds(now, p).some((id) => !dropped.has(id))) done.set(p, (Date.now() - startedAt) / 1000);
    }
    if (done.size === asked.length || Date.now() - startedAt > options.timeoutSec * 1000) break;
    progress(`waiting for ${asked.filter((p) => !done.has(p)).map((p) => LABEL[p]).join(' and ')} to reconnect`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    now = deriveLive(name, input, await observe(transport, input), new Date(), 1);
  }
  return {
    platforms: asked.map((p) => {
      const after = done.get(p);
      const count = before.platforms.find((x) => x.platform === p)?.clientIds.length ?? 0;
      return { platform: p, dropped: count, reconnected: after !== undefined, ...(after !== undefined ? { afterSec: Math.round(after * 10) / 10 } : {}) };
    }),
    others: enabled
      .filter((p) => !asked.includes(p))
      .map((p) => {
        const was = connectedIds(before, p);
        const is = connectedIds(now, p);
        const state = now.platforms.find((x) => x.platform === p)?.state ?? 'off';
        return { platform: p, untouched: was.length > 0 && was.every((id) => is.includes(id)), state };
      }),
  };
}
