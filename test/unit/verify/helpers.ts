// Shared pieces of the verify unit tests: the input a default two-platform host is checked
// against (keys known, so masking can be tested), recorded lab outputs, and a builder of the
// verify script's tagged output from readable text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/index.js';
import { verifyInputFrom } from '../../../src/verify/input.js';
import type { VerifyInput } from '../../../src/verify/types.js';

export const DLIVE_KEY = 'dlivedevkey123';
export const KICK_KEY = 'kickdevkey456';
export const KICK_HOST = 'fa723fc1b171.global-contribute.live-video.net';

/** `encoder: null`: as `orbis verify` without facts (ENCODEUR_VIDEO=auto -> read on the host). */
export function labInput(vars: string[] = [], encoder: string | null = 'libx264'): VerifyInput {
  const loaded = loadSettings({
    env: { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY },
    vars: ['LARGEUR_MAX=640', 'HAUTEUR_MAX=360', 'BTFS_ESSAIM_EXPOSE=true', ...vars],
  });
  return verifyInputFrom(loaded, encoder === null ? {} : { encoder });
}

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** `systemctl show` blocks for the four units, each overridable. */
export function unitsText(overrides: Record<string, Partial<Record<string, string | number>>> = {}): string {
  const units = ['nginx.service', 'stunnel@kick.service', 'btfs.service', 'orbis.service'];
  return units
    .map((id) => {
      const p = { Id: id, LoadState: 'loaded', ActiveState: 'active', SubState: 'running', UnitFileState: 'enabled', NRestarts: 0, Result: 'success', ExecMainStatus: 0, ActiveEnterTimestampMonotonic: 100, ...overrides[id] };
      return Object.entries(p).map(([k, v]) => `${k}=${v}`).join('\n');
    })
    .join('\n\n');
}

export const LAB_PROCS: Array<[number, string, string, string, string]> = [
  [34, 'root', 'sshd', 'sshd: /usr/sbin/sshd -D', '0::/system.slice/ssh.service'],
  [2800, 'root', 'nginx', 'nginx: master process /usr/sbin/nginx', '0::/system.slice/nginx.service'],
  [2801, 'www-data', 'nginx', 'nginx: worker process', '0::/system.slice/nginx.service'],
  [2882, 'btfs', 'python3', 'python3 -c # orbis lab stand-in for go-btfs', '0::/system.slice/btfs.service'],
  [2958, 'stunnel4', 'stunnel4', '/usr/bin/stunnel4 /etc/stunnel/kick.conf', '0::/system.slice/system-stunnel.slice/stunnel@kick.service'],
];

export interface Sections {
  now?: number;
  units?: string[];
  ss?: string;
  procs?: Array<[number, string, string, string, string]>;
  gw?: string;
  api?: string;
  stat?: [number, number, string];
  tls?: [number, string];
  cert?: string;
  dlive?: [number, number, string];
  timedate?: string;
  virt?: string;
  nginxT?: [number, string];
  nginxMods?: [number, string];
  ffmpeg?: [number, number, string];
  end?: boolean;
}

export const CERT_TEXT = `subject=CN = ${KICK_HOST}
issuer=O = orbis lab, CN = orbis lab CA (verify)
notAfter=Nov 24 12:47:09 2027 GMT
X509v3 Subject Alternative Name: 
    DNS:${KICK_HOST}, DNS:ingest.orbis-lab
`;

export const TLS_OK = `CONNECTION ESTABLISHED
Protocol version: TLSv1.3
Ciphersuite: TLS_AES_256_GCM_SHA384
Peer certificate: CN = ${KICK_HOST}
Hash used: SHA256
Signature type: ECDSA
Verification: OK
Verified peername: ${KICK_HOST}
Server Temp Key: X25519, 253 bits
DONE
`;

/** listeners' PROCS line: one record per process (pid, user, comm, cmdline, cgroup). */
export function procsLine(procs: ReadonlyArray<readonly [number | string, string, string, string, string]>): string {
  return `PROCS\t${b64(procs.map((p) => `${p.join('\x1f')}\x1e`).join(''))}`;
}

/** The full script's output of the healthy lab host, with any section replaced. */
export function fullOutput(s: Sections = {}): string {
  const now = s.now ?? 1795525120.9;
  const units = s.units ?? [unitsText(), unitsText()];
  const lines = [`NOW\t${now}`, `UNITS\t${now}\t${b64(units[0] ?? '')}`];
  lines.push(`SS\t${b64(s.ss ?? fixture('ss-lab.txt'))}`);
  lines.push(procsLine(s.procs ?? LAB_PROCS));
  lines.push(`GW\t${s.gw ?? '0\t206 512 0.001143\t'}`, `API\t${s.api ?? '0\t401'}`);
  const [src, code, body] = s.stat ?? [0, 200, fixture('stat-lab.xml')];
  lines.push(`STAT\t${src}\t${code}\t${b64(body)}\t`);
  lines.push(`VIRT\t${s.virt ?? 'none'}`, `TIMEDATE\t${b64(s.timedate ?? 'NTP=yes\nNTPSynchronized=yes\nCanNTP=yes\n')}\t0`);
  const [trc, tout] = s.nginxT ?? [0, 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n'];
  lines.push(`NGINXT\t${trc}\t${b64(tout)}`);
  const [mrc, mout] = s.nginxMods ?? [0, fixture('nginx-T-filtered.txt')];
  lines.push(`NGINXMOD\t${mrc}\t${b64(mout)}`);
  lines.push(`RESOLVE\t${KICK_HOST}\t10.216.0.2`);
  const [lrc, lout] = s.tls ?? [0, TLS_OK];
  lines.push(`TLS\t${lrc}\t${b64(lout)}`, `CERT\t${b64(s.cert ?? CERT_TEXT)}`);
  lines.push('RESOLVE\tstream.dlive.tv\t10.216.0.2');
  const [drc, dms, derr] = s.dlive ?? [0, 3, ''];
  lines.push(`DLIVE\t${drc}\t${dms}\t${b64(derr)}`);
  const [frc, fms, flog] = s.ffmpeg ?? [0, 231, fixture('ffmpeg-lab.log')];
  lines.push(`FFMPEG\t${frc}\t${fms}\torbis\tlibx264\tconfigured\t${b64(flog)}`);
  lines.push(`UNITS\t${now + 0.5}\t${b64(units[1] ?? units[0] ?? '')}`);
  if (s.end !== false) lines.push('END');
  return lines.join('\n') + '\n';
}
