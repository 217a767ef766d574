// Which platforms receive the stream, and each platform's ingest, key and bitrates.
import { streamKey } from '../stream-key.js';
import { boolean, hostName, integer, oneOf, optional, port, rtmpServerUrl, urlPathSegment } from '../value-types.js';
import { setting } from './spec.js';

export const PLATFORM_CHOICES = ['dlive', 'kick', 'toutes'] as const;
export type PlatformChoice = (typeof PLATFORM_CHOICES)[number];

// Sanity bounds only: the platforms' own ranges (and their overlap when both are on) are checked
// by the encode model, for the platforms that are on.
const videoKbps = () => integer(500, 20000, 'kbps');
const audioKbps = () => integer(32, 320, 'kbps');

export const PLATFORM_SETTINGS = {
  PLATEFORMES: setting(optional(oneOf(PLATFORM_CHOICES)), '', 'platforms', ['ffmpeg', 'nginx-rtmp', 'stunnel', 'orbis-service'],
    'Which platforms to stream to: dlive, kick or toutes (both). Overrides DLIVE_ACTIF and KICK_ACTIF when set; ' +
    "`--platforms` on the command line sets it (upstream's `diffuser.sh -p`). Empty: DLIVE_ACTIF and KICK_ACTIF decide."),

  DLIVE_ACTIF: setting(boolean(), 'true', 'dlive', ['ffmpeg', 'nginx-rtmp', 'orbis-service'],
    'Stream to DLive (true or false). ACTIF = enabled.'),
  DLIVE_SERVEUR: setting(rtmpServerUrl(), 'rtmp://stream.dlive.tv/live', 'dlive', ['nginx-rtmp'],
    "DLive's RTMP ingest (SERVEUR = server), without the key. DLive takes plain RTMP on port 1935."),
  DLIVE_CLE_FLUX: setting(streamKey(), '', 'dlive', ['nginx-rtmp'],
    'DLive stream key (CLE_FLUX = stream key), from Settings > Stream dashboard on dlive.tv. Secret: prefer ' +
    'ORBIS_DLIVE_CLE_FLUX or an inventory secret to writing it here. Required when DLive is enabled.',
    { secret: true }),
  DLIVE_BITRATE_VIDEO: setting(videoKbps(), '3500', 'dlive', ['ffmpeg', 'orbis-service'],
    'Video bitrate for DLive, in kbps. DLive accepts 2500-4500. With Kick also on, see ENCODAGE_BITRATE_VIDEO.'),
  DLIVE_BITRATE_AUDIO: setting(audioKbps(), '160', 'dlive', ['orbis-service'],
    'AAC audio bitrate for DLive, in kbps. DLive accepts 128-160.'),

  KICK_ACTIF: setting(boolean(), 'true', 'kick', ['nginx-rtmp', 'stunnel', 'orbis-service'],
    'Stream to Kick (true or false). Kick requires RTMPS, so stunnel exists only when this is on.'),
  KICK_SERVEUR_REEL: setting(hostName(), 'fa723fc1b171.global-contribute.live-video.net', 'kick', ['nginx-rtmp', 'stunnel'],
    "Kick's RTMPS ingest host (SERVEUR_REEL = real server, behind stunnel). stunnel connects to it and checks " +
    'that its certificate is for this name.'),
  KICK_PORT_REEL: setting(port(), '443', 'kick', ['nginx-rtmp', 'stunnel'],
    "Port of Kick's RTMPS ingest (TLS)."),
  KICK_CHEMIN: setting(urlPathSegment(), '/app', 'kick', ['nginx-rtmp'],
    "RTMP application on Kick's ingest (CHEMIN = path); the push goes to <stunnel>/app/<key>."),
  KICK_CLE_FLUX: setting(streamKey(), '', 'kick', ['nginx-rtmp'],
    'Kick stream key, from Dashboard > Stream settings on kick.com. Secret: prefer ORBIS_KICK_CLE_FLUX or an ' +
    'inventory secret to writing it here. Required when Kick is enabled.',
    { secret: true }),
  KICK_BITRATE_VIDEO: setting(videoKbps(), '4000', 'kick', ['ffmpeg', 'orbis-service'],
    'Video bitrate for Kick, in kbps. Kick accepts 3500-6000. With DLive also on, see ENCODAGE_BITRATE_VIDEO.'),
  KICK_BITRATE_AUDIO: setting(audioKbps(), '160', 'kick', ['ffmpeg', 'orbis-service'],
    'AAC audio bitrate for Kick, in kbps. Kick asks for 160.'),
};
