// Listeners: each port of the stack is held by the unit meant to hold it (a port taken by
// another process is a failure naming that process: it is the cause, whatever else fails),
// and nothing orbis manages listens beyond loopback unless a setting asked for it.
import { covers, isLoopback, type Listener, type ProcessInfo } from '../parse/ss.js';
import type { Endpoint, VerifyInput } from '../types.js';
import { CHECK, fail, pass, warn, type Outcome } from './outcome.js';

interface Expected {
  name: string;
  what: string;
  endpoint: Endpoint;
  unit: string;
  unitCheck: string;
  setting: string;
}

function expectedListeners(input: VerifyInput): Expected[] {
  const list: Expected[] = [
    { name: CHECK.listenRtmp, what: 'nginx-rtmp', endpoint: input.rtmp, unit: input.units.nginx, unitCheck: CHECK.unitNginx, setting: 'NGINX_PORT_RTMP' },
    { name: CHECK.listenStats, what: 'the nginx stats server', endpoint: input.stats, unit: input.units.nginx, unitCheck: CHECK.unitNginx, setting: 'NGINX_PORT_STATS' },
  ];
  if (input.kick && input.units.stunnel) {
    list.push({
      name: CHECK.listenStunnel,
      what: 'stunnel',
      endpoint: { address: '127.0.0.1', port: input.kick.stunnelPort },
      unit: input.units.stunnel,
      unitCheck: CHECK.unitStunnel,
      setting: 'STUNNEL_PORT_LOCAL',
    });
  }
  list.push({
    name: CHECK.listenGateway,
    what: 'the BTFS gateway',
    endpoint: { address: '127.0.0.1', port: input.btfs.gatewayPort },
    unit: input.units.btfs,
    unitCheck: CHECK.unitBtfs,
    setting: 'BTFS_PORT_PASSERELLE',
  });
  return list;
}

function describeProcess(pid: number, processes: Record<number, ProcessInfo>, fallbackName: string): string {
  const p = processes[pid];
  if (!p) return `${fallbackName} (pid ${pid})`;
  const command = p.commandLine && p.commandLine !== p.name ? `, \`${p.commandLine.slice(0, 80)}\`` : '';
  return `${p.name || fallbackName} (pid ${pid}${p.user ? `, user ${p.user}` : ''}${p.unit ? `, ${p.unit}` : ''}${command})`;
}

function endpointText(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function listenerCheck(expected: Expected, listeners: Listener[], processes: Record<number, ProcessInfo>): Outcome {
  const { name, endpoint, unit } = expected;
  const want = endpointText(endpoint);
  const onPort = listeners.filter((l) => l.protocol === 'tcp' && l.port === endpoint.port);
  const serving = onPort.filter((l) => covers(l.address, endpoint.address) || covers(endpoint.address, l.address));
  if (serving.length === 0) {
    if (onPort.length > 0) {
      const where = onPort.map((l) => endpointText(l)).join(', ');
      return fail(name, `${expected.what} should listen on ${want}; port ${endpoint.port} is bound to ${where} only`, `the address ${expected.what} listens on does not match the settings: re-provision (orbis provision) so the configuration follows them`, { settle: true, needs: [expected.unitCheck] });
    }
    return fail(name, `nothing listens on ${want}`, `${expected.what} (${unit}) is not listening: see \`journalctl -u ${unit} -n 50\``, { settle: true, needs: [expected.unitCheck] });
  }
  const owners = serving.flatMap((l) => l.owners);
  if (owners.length === 0) {
    return warn(name, `${want} is listened on, by an unknown process`, 'ss showed no process: verify needs root on the host (sudo)', true);
  }
  const intruders = owners.filter((o) => processes[o.pid]?.unit !== unit);
  if (intruders.length > 0) {
    const intruder = intruders[0]!;
    const who = describeProcess(intruder.pid, processes, intruder.name);
    const theirUnit = processes[intruder.pid]?.unit;
    const stop = theirUnit && theirUnit.endsWith('.service') ? `systemctl stop ${theirUnit}` : `kill ${intruder.pid}`;
    return fail(name, `${want} is held by ${who}, not ${unit}`, `another program took ${expected.what}'s port: stop it (\`${stop}\`) then \`systemctl restart ${unit}\`, or move ${expected.setting} to a free port and re-provision`, { settle: true, cause: true });
  }
  const pids = [...new Set(owners.map((o) => o.pid))].sort((a, b) => a - b);
  const names = [...new Set(owners.map((o) => processes[o.pid]?.name || o.name))].join(', ');
  return pass(name, `${serving.map(endpointText).join(', ')}: ${names} (${unit}, pid ${pids.join(', ')})`, true);
}

/** Non-loopback listeners a setting asked for: 'address:port' -> the setting. */
function allowedExposures(input: VerifyInput): Array<{ unit: string; port: number; address?: string; setting: string }> {
  const allowed: Array<{ unit: string; port: number; address?: string; setting: string }> = [];
  if (!isLoopback(input.rtmp.address)) allowed.push({ unit: input.units.nginx, port: input.rtmp.port, address: input.rtmp.address, setting: 'NGINX_ADRESSE_RTMP' });
  if (!isLoopback(input.stats.address)) allowed.push({ unit: input.units.nginx, port: input.stats.port, address: input.stats.address, setting: 'NGINX_ADRESSE_STATS' });
  if (input.btfs.swarmExposed) allowed.push({ unit: input.units.btfs, port: input.btfs.swarmPort, setting: 'BTFS_ESSAIM_EXPOSE' });
  return allowed;
}

export function exposureCheck(input: VerifyInput, listeners: Listener[], processes: Record<number, ProcessInfo>): Outcome {
  const managed = new Set(Object.values(input.units));
  const allowed = allowedExposures(input);
  const unexpected: string[] = [];
  const configured: string[] = [];
  for (const l of listeners) {
    if (isLoopback(l.address)) continue;
    const units = [...new Set(l.owners.map((o) => processes[o.pid]?.unit ?? '').filter((u) => managed.has(u)))];
    for (const unit of units) {
      const text = `${unit} on ${l.protocol} ${endpointText(l)}`;
      const ok = allowed.find((a) => a.unit === unit && a.port === l.port && (a.address === undefined || covers(l.address, a.address) || l.address === a.address));
      if (ok) configured.push(`${text} (${ok.setting})`);
      else unexpected.push(text);
    }
  }
  if (unexpected.length > 0) {
    return fail(
      CHECK.exposure,
      `reachable from the network: ${unexpected.join('; ')}`,
      'only loopback is expected unless a setting opens it (NGINX_ADRESSE_RTMP, NGINX_ADRESSE_STATS, BTFS_ESSAIM_EXPOSE): a leftover site or config (e.g. Debian\'s default site on :80, a swarm on 0.0.0.0) exposes the Pi; re-provision, or remove what orbis does not manage',
    );
  }
  return pass(CHECK.exposure, configured.length > 0 ? `beyond loopback only as configured: ${configured.join('; ')}` : 'nothing orbis manages listens beyond loopback');
}

export function listenerChecks(input: VerifyInput, listeners: Listener[] | undefined, processes: Record<number, ProcessInfo>): Outcome[] {
  const expected = expectedListeners(input);
  if (listeners === undefined) {
    return [...expected.map((e) => fail(e.name, 'ss gave no answer', 'verify needs `ss` (iproute2) on the host', { settle: true })), fail(CHECK.exposure, 'ss gave no answer', 'verify needs `ss` (iproute2) on the host')];
  }
  return [...expected.map((e) => listenerCheck(e, listeners, processes)), exposureCheck(input, listeners, processes)];
}
