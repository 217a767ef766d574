// The stream itself, from nginx-rtmp's /stat: the streamer publishes into the application, and
// nginx holds exactly one connected push per enabled platform (DLive directly, Kick through
// stunnel). Push addresses carry stream keys: they are masked before anything is shown.
import type { StatClient, StatReport, StatStream } from '../parse/stat.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, type Outcome } from './outcome.js';

export type Platform = 'dlive' | 'kick';

interface PushTarget {
  platform: Platform;
  check: string;
  label: string;
  prefixes: string[];
  needs: string[];
  hint: string;
}

export function pushTargets(input: Pick<VerifyInput, 'dlive' | 'kick' | 'units'>): PushTarget[] {
  const targets: PushTarget[] = [];
  if (input.dlive) {
    const { host, port } = input.dlive;
    targets.push({
      platform: 'dlive',
      check: CHECK.pushDlive,
      label: `DLive (${host})`,
      prefixes: [`${host}/`, `${host}:${port}/`],
      needs: [CHECK.publisher, CHECK.reachDlive],
      hint: 'nginx has no live push to DLive: see /var/log/nginx/error.log (a refused key, DLIVE_SERVEUR, DNS at nginx start); a restart of nginx retries it',
    });
  }
  if (input.kick) {
    const port = input.kick.stunnelPort;
    targets.push({
      platform: 'kick',
      check: CHECK.pushKick,
      label: `Kick (through stunnel on 127.0.0.1:${port})`,
      prefixes: [`127.0.0.1:${port}/`, `localhost:${port}/`],
      needs: [CHECK.publisher, CHECK.unitStunnel, CHECK.listenStunnel, CHECK.tlsKick],
      hint: `nginx has no live push to Kick: stunnel accepts on 127.0.0.1:${port} but the TLS link to ${input.kick.host} does not hold; see \`journalctl -u ${input.units.stunnel ?? 'stunnel@kick.service'} -n 50\` and /var/log/nginx/error.log`,
    });
  }
  return targets;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What /stat says of the streamer's application: its publishers, and each platform's pushes. */
export interface StreamView {
  streams: StatStream[];
  publishers: Array<{ stream: StatStream; client: StatClient }>;
  pushes: Array<{ target: PushTarget; clients: StatClient[] }>;
  /** Pushes to no enabled platform. */
  stray: StatClient[];
}

export function streamView(input: Pick<VerifyInput, 'dlive' | 'kick' | 'units' | 'rtmp'>, report: StatReport): StreamView {
  const streams = report.applications.filter((a) => a.name === input.rtmp.application).flatMap((a) => a.streams);
  const publishers = streams.flatMap((s) => s.clients.filter((c) => c.publishing).map((c) => ({ stream: s, client: c })));
  const relays: StatClient[] = streams.flatMap((s) => s.clients.filter((c) => c.relay && !c.publishing));
  const matched = new Set<StatClient>();
  const pushes = pushTargets(input).map((target) => {
    const clients = relays.filter((c) => target.prefixes.some((p) => c.address.startsWith(p)));
    clients.forEach((c) => matched.add(c));
    return { target, clients };
  });
  return { streams, publishers, pushes, stray: relays.filter((c) => !matched.has(c)) };
}

export function streamChecks(input: VerifyInput, report: StatReport | undefined): Outcome[] {
  const app = input.rtmp.application;
  // The streamer publishes what it reads from the gateway: no gateway, no publisher.
  const needStat = [CHECK.nginxStat, CHECK.unitOrbis, CHECK.btfsGateway];
  const targets = pushTargets(input);
  if (!report) {
    // No statistics: nothing can be said about the stream (nginx.stat fails and says why).
    return [
      fail(CHECK.publisher, '/stat did not answer', 'see nginx.stat', { settle: true, needs: needStat }),
      ...targets.map((t) => fail(t.check, '/stat did not answer', 'see nginx.stat', { settle: true, needs: [CHECK.nginxStat, ...t.needs] })),
    ];
  }
  const view = streamView(input, report);
  const outcomes: Outcome[] = [];
  const first = view.publishers[0];
  if (!first) {
    outcomes.push(
      fail(CHECK.publisher, `nobody publishes into ${app}`, `the streamer (${input.units.orbis}) is not publishing: see \`journalctl -u ${input.units.orbis} -n 50\``, { settle: true, needs: needStat }),
    );
  } else {
    const v = first.stream.video;
    const video = v ? `, ${v.width}x${v.height} ${v.codec} ${v.fps} fps` : '';
    outcomes.push(pass(CHECK.publisher, `${app}/${first.stream.name} published from ${first.client.address} for ${seconds(first.client.timeMs)}${video}`, true));
  }

  for (const { target: t, clients: pushes } of view.pushes) {
    const live = pushes.filter((c) => c.active);
    if (live.length === 1) {
      outcomes.push(pass(t.check, `${live[0]!.address} connected for ${seconds(live[0]!.timeMs)}`, true));
    } else if (live.length === 0) {
      const pending = pushes.length > 0 ? ` (${pushes.length} connecting, not live)` : '';
      outcomes.push(fail(t.check, `no connected push to ${t.label}${pending}`, t.hint, { settle: true, needs: t.needs }));
    } else {
      outcomes.push(
        fail(t.check, `${live.length} pushes to ${t.label}: ${live.map((c) => c.address).join(', ')}`, 'one push per platform is expected: a duplicated push line, or an old nginx worker still pushing with an old key; restart nginx (`systemctl restart nginx`) and re-provision', { settle: true }),
      );
    }
  }
  if (view.stray.length > 0) {
    outcomes.push(
      fail(CHECK.pushUnexpected, `pushes to no enabled platform: ${view.stray.map((c) => c.address).join(', ')}`, 'nginx pushes somewhere the settings do not say (a disabled platform, a stale file): re-provision, then `systemctl restart nginx`', { settle: true }),
    );
  }
  return outcomes;
}
