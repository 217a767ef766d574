// The Debian mirror this machine uses, and this machine's DNS resolvers: the only outside
// addresses lab hosts may reach (../shared/DESIGN.md, "The lab", point 3).
import { promises as dns } from 'node:dns';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from './exec.js';

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

export interface Mirror {
  /** The Debian archive URI (`.../debian`), used by debootstrap and by the hosts' apt. */
  archive: string;
  /** The security archive URI, when this machine has one. */
  security?: string;
  hosts: string[];
}

const SOURCES_DIR = '/etc/apt/sources.list.d';
const SOURCES_LIST = '/etc/apt/sources.list';
const RESOLV_CONF = '/etc/resolv.conf';

/** Parse one-line (`deb URI suite comp...`) and deb822 (`.sources`) apt sources. */
export function parseAptSources(text: string, deb822: boolean): AptSource[] {
  if (!deb822) {
    return text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line.startsWith('deb '))
      .map((line) => line.replace(/\[[^\]]*\]/, '').split(/\s+/).slice(1))
      .filter((fields) => fields.length >= 2)
      .map(([uri = '', suite = '', ...components]) => ({ uri, suites: [suite], components }));
  }
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    const components = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      sources.push({ uri, suites, components });
    }
  }
  return sources;
}

/** This machine's Debian mirror (ORBIS_LAB_MIRROR overrides it). */
export async function findMirror(): Promise<Mirror> {
  const override = process.env.ORBIS_LAB_MIRROR;
  const sources = override ? [] : await readAptSources();
  const archive =
    override ?? sources.find((s) => /\/debian\/?$/.test(s.uri) && s.uri.startsWith('http'))?.uri.replace(/\/$/, '');
  if (!archive) {
    throw new LabError(
      `no Debian archive (an http URI ending in /debian) in ${SOURCES_LIST} or ${SOURCES_DIR}`,
      'set ORBIS_LAB_MIRROR=http://your-mirror/debian',
    );
  }
  const security = override
    ? undefined
    : sources.find((s) => /\/debian-security\/?$/.test(s.uri) && s.uri.startsWith('http'))?.uri.replace(/\/$/, '');
  const hosts = [...new Set([archive, security].filter((u): u is string => !!u).map((u) => new URL(u).hostname))];
  return { archive, security, hosts };
}

async function readAptSources(): Promise<AptSource[]> {
  const sources: AptSource[] = [];
  const list = await readFile(SOURCES_LIST, 'utf8').catch(() => '');
  sources.push(...parseAptSources(list, false));
  const entries = await readdir(SOURCES_DIR).catch(() => [] as string[]);
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.list') && !entry.endsWith('.sources')) continue;
    const text = await readFile(join(SOURCES_DIR, entry), 'utf8').catch(() => '');
    sources.push(...parseAptSources(text, entry.endsWith('.sources')));
  }
  return sources;
}

/** IPv4 addresses of the mirror's hosts, as this machine resolves them now. */
export async function resolveMirrorAddresses(hosts: readonly string[]): Promise<string[]> {
  const addresses = new Set<string>();
  for (const host of hosts) {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      addresses.add(host);
      continue;
    }
    // Both the system resolver (which honours /etc/hosts) and DNS: the hosts resolve through DNS.
    const viaLookup = await dns.lookup(host, { all: true, family: 4 }).catch(() => []);
    for (const entry of viaLookup) addresses.add(entry.address);
    const viaDns = await dns.resolve4(host).catch(() => [] as string[]);
    for (const address of viaDns) addresses.add(address);
  }
  if (addresses.size === 0) {
    throw new LabError(
      `cannot resolve the Debian mirror (${hosts.join(', ')})`,
      'check /etc/resolv.conf and that this machine reaches its mirror (`apt-get update`)',
    );
  }
  return [...addresses].sort();
}

/** Nameservers from /etc/resolv.conf that lab hosts can use (they copy that file). */
export async function findResolvers(): Promise<string[]> {
  const text = await readFile(RESOLV_CONF, 'utf8').catch(() => '');
  const all = text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line)?.[1])
    .filter((a): a is string => !!a);
  // A loopback resolver (systemd-resolved's 127.0.0.53) is this machine's, not the hosts'.
  const usable = all.filter((a) => !a.startsWith('127.'));
  if (usable.length === 0) {
    throw new LabError(
      `no usable IPv4 nameserver in ${RESOLV_CONF} (found: ${all.join(', ') || 'none'})`,
      'lab hosts copy this file; point it at a resolver that is not on loopback',
    );
  }
  return usable;
}
