// `ss -Htulnp` lines and the per-process details the script adds. Who owns a socket is judged
// by its systemd unit (from the process's cgroup), not by its name: the lab's BTFS stand-in is
// python3, a real one is btfs, and both run as btfs.service.

export interface SocketOwner {
  name: string;
  pid: number;
}

export interface Listener {
  protocol: 'tcp' | 'udp';
  /** Without brackets or %interface: 127.0.0.1, 0.0.0.0, ::, ::1, * */
  address: string;
  port: number;
  owners: SocketOwner[];
}

export interface ProcessInfo {
  pid: number;
  user: string;
  name: string;
  commandLine: string;
  /** The systemd unit or scope the process belongs to ('' when unknown). */
  unit: string;
}

const OWNER = /\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)/g;

/** `ADDR:PORT` as ss prints it: 127.0.0.1:1935, [::]:22, *:8000, 127.0.0.53%lo:53. */
export function splitEndpoint(text: string): { address: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port)) return undefined;
  let address = text.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  address = address.replace(/%.*$/, '');
  return { address, port };
}

export function parseListeners(text: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // With -t and -u, the first column is the protocol; with only one of them it is the state.
    const protocol = fields[0] === 'udp' ? 'udp' : 'tcp';
    const offset = fields[0] === 'tcp' || fields[0] === 'udp' ? 1 : 0;
    const local = fields[offset + 3];
    if (!local) continue;
    const endpoint = splitEndpoint(local);
    if (!endpoint) continue;
    const rest = fields.slice(offset + 5).join(' ');
    const owners = [...rest.matchAll(OWNER)].map((m) => ({ name: m[1] ?? '', pid: Number(m[2]) }));
    listeners.push({ protocol, ...endpoint, owners });
  }
  return listeners;
}

/**
 * The unit of a process from /proc/PID/cgroup: the cgroup v2 line (0::/system.slice/x.service)
 * or, on hybrid hosts, the name=systemd one. The innermost .service or .scope wins.
 */
export function unitFromCgroup(cgroup: string): string {
  const lines = cgroup.split('\n');
  const pick = lines.find((l) => l.startsWith('0::') && l.length > 4) ?? lines.find((l) => l.includes(':name=systemd:')) ?? '';
  const path = pick.slice(pick.indexOf(':', pick.indexOf(':') + 1) + 1);
  const units = path.split('/').filter((p) => /\.(service|scope)$/.test(p));
  return units[units.length - 1] ?? '';
}

export function parseProcess(pid: number, user: string, name: string, commandLine: string, cgroup: string): ProcessInfo {
  return { pid, user, name, commandLine: commandLine.trim(), unit: unitFromCgroup(cgroup) };
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '*' || address === '::';
}

/** Whether a socket bound to `bound` receives connections made to `wanted`. */
export function covers(bound: string, wanted: string): boolean {
  if (bound === wanted) return true;
  if (bound === '*' || bound === '::') return true;
  return bound === '0.0.0.0' && !wanted.includes(':');
}
