// How orbis reads each of upstream's 58 variables (Thalyn-/diffuseur-rtmps-btfs-ARM64,
// conf/orbis.conf): used as they are, mapped onto something orbis manages itself, or ignored.
// `orbis import` and `orbis inventory` print this so nothing of an existing setup is silently lost.
import type { ConfEntry } from './conf-parser.js';
import { isSettingName, type SettingName } from './settings.js';

export type CompatStatus = 'used' | 'mapped' | 'ignored';

export interface CompatRule {
  status: CompatStatus;
  /** One line: what orbis does with it, and why. */
  reason: string;
  /** For `mapped`: the orbis settings that take over (may be none: orbis decides itself). */
  replacedBy?: readonly SettingName[];
}

const used = (reason: string): CompatRule => ({ status: 'used', reason });
const mapped = (reason: string, replacedBy: readonly SettingName[] = []): CompatRule => ({ status: 'mapped', reason, replacedBy });
const ignored = (reason: string): CompatRule => ({ status: 'ignored', reason });

const ENCODE = 'a parameter of the single FFmpeg encode';
const BITRATE = 'a bitrate of the single encode; with both platforms on, the rule of ENCODAGE_BITRATE_VIDEO/_AUDIO applies';
const NO_WEBCAM = 'upstream never implemented the webcam overlay';
const OWN_LAYOUT = 'upstream\'s folder in a login user\'s home; orbis installs into its own layout (/etc/orbis, /var/lib/orbis)';

export const UPSTREAM_RULES = {
  BTFS_PASSERELLE: used('the gateway base URL of playlist entries and of the readiness probe'),
  BTFS_API: mapped('go-btfs 4.x answers 401 there without a token; orbis keeps the API on 127.0.0.1 and probes the gateway', ['BTFS_PORT_API']),
  BTFS_PORT_PASSERELLE: used('the gateway port in the BTFS configuration, checked against BTFS_PASSERELLE'),
  BTFS_REPO: mapped('upstream\'s repo sits under a login user orbis does not manage; orbis runs BTFS as its own system user with its own repo', ['BTFS_UTILISATEUR', 'BTFS_REPERTOIRE_REPO']),
  BTFS_CHAINE_ID: used('`btfs daemon --chain-id`; a change on an initialised repo is refused'),
  BTFS_DAEMON_CMD: mapped('upstream eval\'d this text; orbis builds `btfs daemon --chain-id BTFS_CHAINE_ID` itself and evaluates nothing', ['BTFS_CHAINE_ID']),
  BTFS_DELAI_DEMARRAGE: mapped('a fixed sleep is replaced by a readiness probe: a ranged GET of BTFS_HASH_TEST through the gateway', ['BTFS_HASH_TEST']),
  BTFS_HASH_TEST: used('the content id of the readiness probe'),
  REPERTOIRE_PROJET: mapped(OWN_LAYOUT),
  REPERTOIRE_LDL: mapped('playlists come from the controller', ['LISTE_LECTURE']),
  REPERTOIRE_IMG: mapped('the watermark is named directly', ['FILIGRANE_IMAGE']),
  REPERTOIRE_JOURNAUX: mapped('the streamer logs to the journal, capped and rotated', ['CONSERVATION_JOURNAUX', 'JOURNAL_TAILLE_MAX']),
  REPERTOIRE_CONF: mapped(OWN_LAYOUT),
  REPERTOIRE_SCRIPTS: mapped('orbis renders and checks its own streamer script'),
  FFMPEG: mapped('orbis installs Debian\'s ffmpeg package and runs /usr/bin/ffmpeg'),
  FFPROBE: mapped('comes with Debian\'s ffmpeg package'),
  CURL: mapped('each role that needs curl installs it'),
  STUNNEL: mapped('orbis runs Debian\'s stunnel4 through stunnel@.service'),
  ENCODEUR_VIDEO: used('the encoder; orbis also accepts auto (hardware on a Pi 4 that has it)'),
  PRESET_ENCODAGE: used(ENCODE),
  PROFIL_H264: used(ENCODE),
  NIVEAU_H264: used(ENCODE),
  DEBIT_IMAGES: used(ENCODE),
  GOP: used(`${ENCODE}; must be 2 s (2 x DEBIT_IMAGES)`),
  LARGEUR_MAX: used(ENCODE),
  HAUTEUR_MAX: used(ENCODE),
  DLIVE_ACTIF: used('whether DLive is pushed to (nginx push, encode range, checks)'),
  DLIVE_SERVEUR: used('the DLive push URL'),
  DLIVE_CLE_FLUX: used('the DLive stream key, kept secret everywhere'),
  DLIVE_BITRATE_VIDEO: used(BITRATE),
  DLIVE_BITRATE_AUDIO: used(BITRATE),
  KICK_ACTIF: used('whether Kick is pushed to and stunnel exists'),
  KICK_SERVEUR_REEL: used('stunnel\'s connect host and the name its certificate must carry (upstream hard-coded it)'),
  KICK_PORT_REEL: used('stunnel\'s connect port (upstream hard-coded it)'),
  KICK_CHEMIN: used('the application of the Kick push (upstream hard-coded /app)'),
  KICK_CLE_FLUX: used('the Kick stream key, kept secret everywhere'),
  KICK_BITRATE_VIDEO: used(BITRATE),
  KICK_BITRATE_AUDIO: used(BITRATE),
  STUNNEL_PORT_LOCAL: used('stunnel\'s accept port and nginx\'s Kick push target, from one setting'),
  NGINX_PORT_RTMP: used('the relay port for nginx, the streamer and the checks alike (upstream\'s 9935 is kept)'),
  NGINX_CHEMIN_APPLICATION: used('the nginx-rtmp application the streamer publishes into'),
  BOUCLE: used('loop the playlist without ending the publish'),
  MELANGE: used('shuffle the playlist'),
  DELAI_ENTRE_VIDEOS: ignored('orbis plays the playlist as one continuous publish; a pause between videos would end it'),
  TENTATIVES_RECONNEXION: used('how many times orbis.service restarts the streamer'),
  DELAI_RECONNEXION: used('seconds between two restarts of the streamer'),
  FILIGRANE_ACTIF: used('the watermark overlay switch'),
  FILIGRANE_IMAGE: used('the watermark image on the Pi'),
  FILIGRANE_POSITION: used('the watermark position'),
  FILIGRANE_OPACITE: used('the watermark opacity'),
  WEBCAM_ACTIF: ignored(NO_WEBCAM),
  WEBCAM_PERIPHERIQUE: ignored(NO_WEBCAM),
  WEBCAM_LARGEUR: ignored(NO_WEBCAM),
  WEBCAM_HAUTEUR: ignored(NO_WEBCAM),
  WEBCAM_DEBIT_IMAGES: ignored(NO_WEBCAM),
  WEBCAM_POSITION: ignored(NO_WEBCAM),
  NIVEAU_JOURNAL: used('the streamer\'s log level'),
  CONSERVATION_JOURNAUX: used('how long the journal keeps the streamer\'s logs'),
} as const satisfies Partial<Record<SettingName, CompatRule>>;

export type UpstreamVariable = keyof typeof UPSTREAM_RULES;
export const UPSTREAM_VARIABLES = Object.keys(UPSTREAM_RULES) as readonly UpstreamVariable[];

export interface CompatRow extends CompatRule {
  variable: string;
  /** Where the file sets it. */
  line: number;
}

/** What the report needs of a conf file: names and lines, no values (they may be keys). */
export interface ConfOutline {
  file: string;
  entries: readonly Pick<ConfEntry, 'key' | 'line' | 'col'>[];
}

/**
 * For each variable the file sets (in file order, once each): what orbis does with it. orbis's
 * own settings are `used`; a name orbis does not know is `ignored`.
 */
export function upstreamCompatibility(conf: ConfOutline): CompatRow[] {
  const seen = new Set<string>();
  const rows: CompatRow[] = [];
  for (const entry of conf.entries) {
    if (seen.has(entry.key)) continue;
    seen.add(entry.key);
    rows.push({ variable: entry.key, line: entry.line, ...ruleFor(entry.key) });
  }
  return rows;
}

function ruleFor(name: string): CompatRule {
  if (name in UPSTREAM_RULES) return UPSTREAM_RULES[name as UpstreamVariable];
  if (isSettingName(name)) return used('an orbis setting');
  return ignored('not an orbis setting');
}

/** One line per variable: `mapped   BTFS_REPO -> BTFS_UTILISATEUR, BTFS_REPERTOIRE_REPO: ...` */
export function formatCompatibility(rows: readonly CompatRow[]): string {
  return rows
    .map((row) => {
      const target = row.replacedBy && row.replacedBy.length > 0 ? ` -> ${row.replacedBy.join(', ')}` : '';
      return `${row.status.padEnd(8)}${row.variable}${target}: ${row.reason}`;
    })
    .join('\n');
}
