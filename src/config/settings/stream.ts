// What the streamer plays and how it behaves: playlist, reconnection, watermark, logs.
import { absolutePath, anyText, boolean, byteSize, decimal, integer, oneOf, optional, overlayPosition, rgbColor } from '../value-types.js';
import { setting } from './spec.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'AVERT', 'ERREUR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const STREAM_SETTINGS = {
  LISTE_LECTURE: setting(optional(anyText()), '', 'playlist', ['orbis-service'],
    'Playlist file on the controller (LISTE_LECTURE = playlist), relative to this file\'s folder: one ' +
    'gateway URL or CID per line, `# title` after it (upstream\'s ldl/*.txt format). Empty: play ' +
    'BTFS_HASH_TEST.'),
  BOUCLE: setting(boolean(), 'true', 'playlist', ['orbis-service'],
    'Repeat the playlist forever (BOUCLE = loop), without ending the publish between rounds.'),
  MELANGE: setting(boolean(), 'false', 'playlist', ['orbis-service'],
    'Shuffle the playlist (MELANGE = shuffle).'),
  TENTATIVES_RECONNEXION: setting(integer(0, 100), '3', 'playlist', ['orbis-service'],
    'How many times the streamer restarts FFmpeg after a failure (TENTATIVES = attempts) before giving up ' +
    'loudly.'),
  DELAI_RECONNEXION: setting(integer(1, 3600, 'seconds'), '10', 'playlist', ['orbis-service'],
    'Seconds between two restarts (DELAI = delay).'),
  DELAI_ENTRE_VIDEOS: setting(anyText(), '', 'upstream', [],
    "Upstream's pause between videos, in seconds. Not used: orbis plays the playlist as one continuous " +
    'publish, and a pause would end it.'),

  FILIGRANE_ACTIF: setting(boolean(), 'false', 'watermark', ['orbis-service'],
    'Overlay an image on the video (FILIGRANE = watermark). Costs CPU: the filter runs in software even with ' +
    'the hardware encoder.'),
  FILIGRANE_IMAGE: setting(absolutePath(), '/var/lib/orbis/logo.png', 'watermark', ['orbis-service'],
    'Path on the Pi of the PNG to overlay.'),
  FILIGRANE_POSITION: setting(overlayPosition(), '10:10', 'watermark', ['orbis-service'],
    'Where the image goes, as FFmpeg overlay X:Y: 10:10 top left, main_w-overlay_w-10:main_h-overlay_h-10 ' +
    'bottom right.'),
  FILIGRANE_OPACITE: setting(decimal(0, 1), '0.85', 'watermark', ['orbis-service'],
    'Opacity of the image, from 0 (invisible) to 1.'),

  ARDOISE_TEXTE: setting(anyText(), 'De retour dans un instant', 'slate', ['orbis-service'],
    'Text of the slate (ARDOISE = slate), the picture the streamer puts on air, in the same encode, while ' +
    'no video can be played (the BTFS gateway down or slow, a CID it does not serve, a file FFmpeg cannot ' +
    'read, an empty playlist): the platforms keep a live stream and the playlist resumes at the next video ' +
    'that answers. Empty: no text.'),
  ARDOISE_IMAGE: setting(optional(absolutePath()), '', 'slate', ['orbis-service'],
    'Path on the Pi of a picture (PNG or JPEG) shown as the slate, fitted to the frame; empty: a plain ' +
    'ARDOISE_COULEUR background with ARDOISE_TEXTE.'),
  ARDOISE_COULEUR: setting(rgbColor(), '#1b2a3a', 'slate', ['orbis-service'],
    'Background colour of the slate without an image (COULEUR = colour), #RRGGBB.'),
  ARDOISE_SON: setting(oneOf(['silence', 'tonalite'] as const), 'silence', 'slate', ['orbis-service'],
    'What the slate sounds like (SON = sound): silence, or tonalite (a 440 Hz tone).'),

  CACHE_TAILLE_MAX_MIO: setting(integer(0, 1048576, 'MiB'), '2048', 'cache', ['orbis-service'],
    'Most disk space the prefetch cache may use, in MiB: the next videos of the playlist are fetched from ' +
    'the BTFS gateway to the Pi\'s disk and played from there, so a gateway that stops or hangs mid-video ' +
    'is not seen on air. The least recently played video is evicted first. 0: no cache (every video ' +
    'plays straight from the gateway).'),
  CACHE_DISQUE_LIBRE_MIN_MIO: setting(integer(0, 1048576, 'MiB'), '1024', 'cache', ['orbis-service'],
    'Free space the cache always leaves on the disk, in MiB, whatever CACHE_TAILLE_MAX_MIO allows.'),
  CACHE_ECRITURE_JOUR_MAX_MIO: setting(integer(1, 1048576, 'MiB'), '4096', 'cache', ['orbis-service'],
    'Most the cache writes per day, in MiB: an SD card wears with writes, and a playlist larger than the ' +
    'cache would otherwise be fetched again and again.'),

  NIVEAU_JOURNAL: setting(oneOf(LOG_LEVELS), 'INFO', 'logs', ['orbis-service'],
    'Log level of the streamer (NIVEAU_JOURNAL = log level): DEBUG, INFO, AVERT (warning), ERREUR (error).'),
  CONSERVATION_JOURNAUX: setting(integer(1, 3650, 'days'), '14', 'logs', ['orbis-service'],
    'Days of logs kept (CONSERVATION = retention), applied to the journal.'),
  JOURNAL_TAILLE_MAX: setting(byteSize(), '64M', 'logs', ['orbis-service'],
    'Most disk space the journal may use, to spare the SD card (TAILLE = size).'),
};
