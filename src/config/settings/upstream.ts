// Upstream variables that describe upstream's hand-made layout. orbis reads them (an upstream
// file must load unchanged) but manages its own layout; upstream-compat.ts says what replaces each.
import { anyText } from '../value-types.js';
import { setting, type SettingSpec } from './spec.js';

function unused(description: string): SettingSpec<string> {
  return setting(anyText(), '', 'upstream', [], description);
}

export const UPSTREAM_ONLY_SETTINGS = {
  REPERTOIRE_PROJET: unused("Upstream's project folder in a login user's home (REPERTOIRE = directory). Not used: orbis installs its own files under /etc/orbis and /var/lib/orbis."),
  REPERTOIRE_LDL: unused("Upstream's playlist folder on the Pi. Not used: the playlist comes from LISTE_LECTURE on the controller."),
  REPERTOIRE_IMG: unused("Upstream's image folder on the Pi. Not used: the watermark is FILIGRANE_IMAGE."),
  REPERTOIRE_JOURNAUX: unused("Upstream's log folder. Not used: the streamer logs to the journal (see CONSERVATION_JOURNAUX)."),
  REPERTOIRE_CONF: unused("Upstream's configuration folder on the Pi. Not used: orbis writes its settings to /etc/orbis."),
  REPERTOIRE_SCRIPTS: unused("Upstream's scripts folder. Not used: orbis renders its own streamer script."),
  FFMPEG: unused("Upstream's path to ffmpeg. Not used: orbis installs Debian's ffmpeg package and runs /usr/bin/ffmpeg."),
  FFPROBE: unused("Upstream's path to ffprobe. Not used: it comes with Debian's ffmpeg package."),
  CURL: unused("Upstream's path to curl. Not used: the roles that need curl install it."),
  STUNNEL: unused("Upstream's path to the stunnel binary. Not used: orbis runs Debian's stunnel4 through stunnel@.service."),
  WEBCAM_ACTIF: unused('Upstream\'s webcam overlay switch ("watch party"). Not used: upstream never implemented the overlay.'),
  WEBCAM_PERIPHERIQUE: unused("Upstream's webcam device. Not used (no webcam overlay)."),
  WEBCAM_LARGEUR: unused("Upstream's webcam overlay width. Not used (no webcam overlay)."),
  WEBCAM_HAUTEUR: unused("Upstream's webcam overlay height. Not used (no webcam overlay)."),
  WEBCAM_DEBIT_IMAGES: unused("Upstream's webcam frame rate. Not used (no webcam overlay)."),
  WEBCAM_POSITION: unused("Upstream's webcam overlay position. Not used (no webcam overlay)."),
};
