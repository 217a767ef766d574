// What the user should know about the upstream install beyond its settings: what runs by hand,
// what upstream exposed that orbis deliberately does not carry, where the keys lie in clear, and
// what stays on the Pi. Pure; every message names files and processes, never a key.
import { formatIssue } from '../config/errors.js';
import { UPSTREAM_PATHS } from './probe.js';
import type { UpstreamInstall } from './read-upstream.js';
import type { CarriedSetting } from './reconcile.js';
import type { SettingName } from '../config/settings.js';

export interface Finding {
  /** note: good to know; warn: do something before or after provisioning. */
  level: 'note' | 'warn';
  message: string;
  hint?: string;
}

function worldReadable(mode: string): boolean {
  return (Number.parseInt(mode, 8) & 0o004) !== 0;
}

export function findingsOf(install: UpstreamInstall, settings: ReadonlyMap<SettingName, CarriedSetting>): Finding[] {
  const out: Finding[] = [];
  for (const warning of install.conf.warnings) out.push({ level: 'note', message: formatIssue(warning) });

  for (const p of install.handStarted) {
    const what = p.args.some((a) => /diffuser\.sh$/.test(a)) ? "upstream's streamer (diffuser.sh)" : 'a BTFS daemon outside btfs.service';
    out.push({
      level: 'warn',
      message: `${what} runs by hand: pid ${p.pid}, user ${p.user || '?'}`,
      hint: `stop it before \`orbis provision\` (sudo kill ${p.pid}): orbis's own services take over its ports and stream`,
    });
  }

  const rtmp = install.rtmp;
  if (rtmp) {
    const keys = rtmp.block.pushes.some((p) => !p.key.isEmpty);
    if (keys && worldReadable(rtmp.mode)) {
      out.push({ level: 'warn', message: `${rtmp.file} holds the stream keys and is world-readable (mode ${rtmp.mode})`, hint: '`orbis import --remove-old` deletes it once orbis runs the Pi; until then any local user can read the keys' });
    }
    if (!rtmp.included && rtmp.file === UPSTREAM_PATHS.rtmpBlock) {
      out.push({ level: 'note', message: `${rtmp.file} is not included by ${UPSTREAM_PATHS.nginxConf}: the nginx running now does not read it` });
    }
    if (rtmp.block.playOpen) {
      out.push({ level: 'note', message: `upstream's relay listened on every interface and let anyone play the stream (${rtmp.file}); orbis keeps it on 127.0.0.1 (NGINX_ADRESSE_RTMP)` });
    }
  }
  const conf = install.conf.file;
  const keysInConf = ['DLIVE_CLE_FLUX', 'KICK_CLE_FLUX'].some((k) => (install.conf.entries.get(k)?.value ?? '') !== '');
  if (keysInConf && worldReadable(conf.mode)) {
    out.push({ level: 'warn', message: `${conf.path} holds stream keys and is world-readable (mode ${conf.mode})`, hint: '`orbis import --remove-old` removes upstream\'s folder once orbis runs the Pi' });
  }

  const stats = install.stats;
  if (stats && (stats.site.control || stats.site.listen.value.address === undefined)) {
    out.push({
      level: 'note',
      message: `upstream's stats server (${stats.file}) listened on every interface${stats.site.control ? ' with /controle (drop, redirect, record) open to the network' : ''}; orbis serves /stat alone on 127.0.0.1 (NGINX_ADRESSE_STATS)`,
    });
  }
  if (install.stunnel?.tunnel && !install.stunnel.tunnel.checksHostName) {
    out.push({ level: 'note', message: `upstream's stunnel (${install.stunnel.file}) checked Kick's certificate chain but not its host name; orbis also checks the host name (checkHost)` });
  }
  if (install.stunnel && !install.stunnel.tunnel) {
    out.push({ level: 'note', message: `${install.stunnel.file} has no client tunnel accepting on this Pi: it is not upstream's Kick tunnel, and is left alone` });
  }

  const btfsUser = install.btfs?.unit.user?.value;
  if (btfsUser !== undefined) {
    const home = install.snapshot.homes[btfsUser];
    const repo = install.btfs?.unit.repo?.value ?? (home === undefined ? `~${btfsUser}/.btfs` : `${home}/.btfs`);
    out.push({
      level: 'note',
      message:
        `upstream's BTFS repo ${repo} (user ${btfsUser}) holds that node's identity and stays where it is: orbis runs its own node as BTFS_UTILISATEUR in BTFS_REPERTOIRE_REPO, ` +
        "a gateway-only one (BTFS_MODE=simple: no wallet, no funding, serving at once), where a plain `btfs init` made a full node that waits for its address to be funded before it serves; " +
        'BTFS_CHAINE_ID is kept for BTFS_MODE=complet',
      hint: 'move or delete the old repo yourself once you no longer need that identity; --remove-old leaves it alone',
    });
  }

  const watermark = settings.get('FILIGRANE_IMAGE')?.value;
  const home = install.project.home;
  if (typeof watermark === 'string' && home !== undefined && watermark.startsWith(`${home}/`)) {
    const on = settings.get('FILIGRANE_ACTIF')?.value === 'true';
    out.push({
      level: on ? 'warn' : 'note',
      message: `FILIGRANE_IMAGE ${watermark} is in ${install.project.owner}'s home, which orbis's streamer (user orbis) may not be able to read`,
      hint: 'copy it to /var/lib/orbis/logo.png on the Pi and set FILIGRANE_IMAGE to that; --remove-old keeps the file',
    });
  }
  if (install.snapshot.orbisManaged.length > 0) {
    out.push({ level: 'note', message: `orbis has already provisioned this Pi (${install.snapshot.orbisManaged.length} files in its manifest)` });
  }
  return out;
}
