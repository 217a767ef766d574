// What upstream Orbis's /etc/stunnel/stunnel.conf says (a copy of its conf/stunnel-kick.conf,
// edited by hand): a client section accepting nginx's Kick push on 127.0.0.1 and connecting to
// Kick's ingest over TLS. Upstream never generated it from orbis.conf, so for the Kick host and
// port it is the truth of what ran; for the local port it must match STUNNEL_PORT_LOCAL.
import type { Found } from './types.js';

export interface StunnelSection {
  name: string;
  /** key -> value as written (the last one wins, as stunnel reads it), with its line. */
  options: Map<string, Found<string>>;
  line: number;
}

export interface StunnelConf {
  global: Map<string, Found<string>>;
  sections: StunnelSection[];
}

/** stunnel's format: `key = value` lines, `[section]` headers, `;` and `#` comment lines. */
export function parseStunnelConf(text: string): StunnelConf {
  const conf: StunnelConf = { global: new Map(), sections: [] };
  let current = conf.global;
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) return;
    const header = /^\[([^\]]*)\]$/.exec(trimmed);
    if (header) {
      const section: StunnelSection = { name: header[1] ?? '', options: new Map(), line: index + 1 };
      conf.sections.push(section);
      current = section.options;
      return;
    }
    const eq = trimmed.indexOf('=');
    if (eq <= 0) return;
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    const value = trimmed.slice(eq + 1).trim();
    current.set(key, { value, line: index + 1, col: line.indexOf(trimmed) + 1 });
  });
  return conf;
}

export interface KickTunnel {
  section: string;
  accept: Found<{ address: string; port: number }>;
  connect?: Found<{ host: string; port: number }>;
  /** What upstream checked of Kick's certificate: `verify = 2` checks the chain, not the host name. */
  checksHostName: boolean;
}

/** `127.0.0.1:11935`, `11935`, `host:443`, `[::1]:11935`. */
function hostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:\s]+):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? '', port };
}

/** The client section whose `accept` is local: the tunnel nginx pushes Kick's stream into. */
export function findKickTunnel(conf: StunnelConf): KickTunnel | undefined {
  for (const section of conf.sections) {
    const client = section.options.get('client')?.value.toLowerCase();
    if (client !== 'yes') continue;
    const accept = section.options.get('accept');
    const acceptValue = accept ? hostPort(accept.value) : undefined;
    if (!accept || !acceptValue) continue;
    const address = acceptValue.host === '' ? '0.0.0.0' : acceptValue.host;
    const tunnel: KickTunnel = {
      section: section.name,
      accept: { value: { address, port: acceptValue.port }, line: accept.line, col: accept.col },
      checksHostName: section.options.has('checkhost') || conf.global.has('checkhost'),
    };
    const connect = section.options.get('connect');
    const connectValue = connect ? hostPort(connect.value) : undefined;
    if (connect && connectValue && connectValue.host !== '') tunnel.connect = { value: connectValue, line: connect.line, col: connect.col };
    return tunnel;
  }
  return undefined;
}
