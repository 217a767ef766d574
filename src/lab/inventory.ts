// The inventory `orbis lab up` prints: the lab's Pi-like hosts in orbis's inventory format,
// with lab-wide facts (ingest, BTFS release URLs, CA) as comments for the reader.
import { stringify } from 'yaml';
import type { LabState } from './state.js';

export function labInventory(state: LabState, hostNames?: readonly string[]): string {
  const names = hostNames ?? Object.keys(state.hosts);
  const hosts: Record<string, { address: string; user: string; port: number; key: string }> = {};
  for (const name of names) {
    const host = state.hosts[name];
    if (host) hosts[name] = { address: host.address, user: host.user, port: host.port, key: host.keyPath };
  }
  const { ingest, btfs } = state;
  const comments = [
    `orbis lab "${state.name}": subnet ${state.subnet}, lab directory ${state.dir}`,
    `known_hosts: ${state.knownHostsPath}`,
    `ingest ${ingest.address}: DLive ${ingest.dlive.url}/<key>, Kick ${ingest.kick.url}/<key> (TLS, lab CA ${state.caCertPath})`,
    `recordings: ${ingest.dlive.recordingsDir}, ${ingest.kick.recordingsDir}`,
    ...Object.values(btfs.releases).flatMap((r) => (r ? [`btfs ${btfs.version} ${r.arch}: ${r.url} sha256 ${r.sha256}`] : [])),
    `btfs test CID: ${btfs.testCid} (content fetched from ${btfs.bootstrapUrl}<CID>)`,
    ...names.flatMap((name) => {
      const host = state.hosts[name];
      return host?.passwordFile ? [`${name} is password-only (a fresh Pi): pi's password is in ${host.passwordFile}; the key logs in as root only`] : [];
    }),
  ];
  const body = stringify({ hosts }, { indent: 2 });
  return `${comments.map((c) => `# ${c}`).join('\n')}\n${body}`;
}
