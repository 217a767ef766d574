// A lab Pi set up the way upstream Orbis Alternis's guide sets one up by hand (docs/INSTALLATION
// and scripts/diffuser.sh of Thalyn-/diffuseur-rtmps-btfs-ARM64, as described in
// shared/reference/upstream-orbis.md): the project cloned into ~pi/OrbisAlternis with its conf
// (keys included), playlists and scripts; nginx + libnginx-mod-rtmp with the rtmp block the
// streamer generates (keys in its push URLs, mode 0644) included at the end of nginx.conf and the
// stats site in sites-enabled; stunnel4's SysV service enabled on /etc/stunnel/stunnel.conf; the
// BTFS release downloaded unchecked into /usr/local/bin, `btfs init` as pi, and a btfs.service
// running it as pi. The scripts are stand-ins written for these tests (upstream's code is not
// copied): they keep upstream's names and options, and diffuser.sh waits instead of streaming.
import { btfsReleaseOf, sshRun, type LabHost, type LabState } from '../../../src/lab/index.js';
import { shq } from '../../../src/util/shell.js';
import {
  BTFS_UNIT, DIFFUSER, LOGO_PNG_B64, rtmpBlock, SMALL_SCRIPT, STATS_SITE, STUNNEL_KICK, UPSTREAM_PROJECT, UPSTREAM_USER,
  upstreamConfText, upstreamPlaylists, type UpstreamKeys,
} from '../../fixtures/upstream/layout.js';
import { aptInstall, mustOnHost } from './lab.js';

export { UPSTREAM_LIVE, UPSTREAM_PROJECT, UPSTREAM_USER, upstreamConfText, upstreamPlaylists } from '../../fixtures/upstream/layout.js';

/** The other video of the lab's BTFS network, beside the seed's test CID. */
export function labCids(lab: LabState): { test: string; bars: string } {
  return { test: lab.btfs.testCid, bars: lab.btfs.content.find((c) => c.cid !== lab.btfs.testCid)?.cid ?? lab.btfs.testCid };
}

function writeFile(path: string, text: string, mode: string, owner = 'root'): string {
  return `printf %s ${shq(Buffer.from(text).toString('base64'))} | base64 -d | install -D -m ${mode} -o ${owner} -g ${owner} /dev/stdin ${shq(path)}`;
}

/**
 * Lay down upstream's install on `host` and start its services (nginx, stunnel4, btfs), as the
 * guide's steps leave a Pi. The keys travel on the script's stdin, never in a command line.
 */
export async function installUpstream(lab: LabState, host: LabHost, keys: UpstreamKeys): Promise<void> {
  await aptInstall(host, ['nginx', 'libnginx-mod-rtmp', 'stunnel4', 'curl', 'ca-certificates']);
  const p = UPSTREAM_PROJECT;
  const cids = labCids(lab);
  const playlists = upstreamPlaylists(cids.test, cids.bars);
  const files: Array<[string, string, string, string?]> = [
    [`${p}/conf/orbis.conf`, upstreamConfText(keys), '0644', UPSTREAM_USER],
    [`${p}/conf/stunnel-kick.conf`, STUNNEL_KICK, '0644', UPSTREAM_USER],
    [`${p}/scripts/diffuser.sh`, DIFFUSER, '0755', UPSTREAM_USER],
    [`${p}/scripts/gestion-ldl.sh`, SMALL_SCRIPT('gestion-ldl.sh', 'playlist manager'), '0755', UPSTREAM_USER],
    [`${p}/scripts/verifier-systeme.sh`, SMALL_SCRIPT('verifier-systeme.sh', 'system check'), '0755', UPSTREAM_USER],
    [`${p}/journaux/diffusion_20250517_210412.log`, '[2025-05-17 21:04:12] [INFO  ] Orbis Alternis -- Diffuseur\n', '0644', UPSTREAM_USER],
    ...Object.entries(playlists.files).map(([name, text]): [string, string, string, string] => [`${p}/ldl/${name}`, text, '0644', UPSTREAM_USER]),
    ['/etc/nginx/orbis-rtmp-block.conf', rtmpBlock(keys), '0644'],
    ['/etc/nginx/sites-enabled/orbis-stats.conf', STATS_SITE, '0644'],
    ['/etc/stunnel/stunnel.conf', STUNNEL_KICK, '0644'],
    ['/etc/systemd/system/btfs.service', BTFS_UNIT, '0644'],
  ];
  // The raw binary go-btfs publishes beside its tar (btfs-linux-amd64), as the guide fetches it.
  const release = btfsReleaseOf(lab, 'amd64', 'raw');
  const script = [
    'set -euo pipefail',
    ...files.map(([path, text, mode, owner]) => writeFile(path, text, mode, owner)),
    `printf %s ${shq(LOGO_PNG_B64)} | base64 -d | install -D -m 0644 -o pi -g pi /dev/stdin ${shq(`${p}/img/logo.png`)}`,
    `chown -R pi:pi ${shq(p)}`,
    // nginx.conf: Debian's, with upstream's include appended at main level.
    `grep -q orbis-rtmp-block.conf /etc/nginx/nginx.conf || printf '\\n# Orbis Alternis -- bloc RTMP\\ninclude /etc/nginx/orbis-rtmp-block.conf;\\n' >> /etc/nginx/nginx.conf`,
    'nginx -t -q && systemctl restart nginx',
    // BTFS as the guide installs it: the release unchecked, init as the user, a unit of its own.
    `curl -fsSL -o /usr/local/bin/btfs ${shq(release.url)} && chmod 0755 /usr/local/bin/btfs`,
    // A plain `btfs init`: a full node, whose daemon waits for funds and serves no gateway.
    'test -e /home/pi/.btfs/config || sudo -u pi -H /usr/local/bin/btfs init >/dev/null',
    'systemctl daemon-reload && systemctl enable --now btfs.service >/dev/null 2>&1',
    'systemctl enable stunnel4 >/dev/null 2>&1 && systemctl restart stunnel4',
  ].join('\n');
  const result = await sshRun(host, 'sudo bash -s', { input: `${script}\n`, timeoutMs: 180_000 });
  if (result.exitCode !== 0) throw new Error(`setting up upstream's install on ${host.name} failed (exit ${result.exitCode}): ${result.stderr.slice(-2000)}`);
}

/** Upstream's streamer as a user starts it over SSH: by hand, in the project folder, detached. */
export async function startUpstreamStreamer(host: LabHost, args: readonly string[]): Promise<void> {
  await mustOnHost(host, `cd ${shq(UPSTREAM_PROJECT)} && setsid -f bash scripts/diffuser.sh ${args.map(shq).join(' ')} > /dev/null 2>&1 < /dev/null`);
}
