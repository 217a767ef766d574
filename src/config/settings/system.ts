// The Pi itself, beyond the stream: its name, clock zone and packages (the `system` role), and
// how a first contact hardens SSH (the `ssh` role and its safety net). Set per host in the
// inventory (NOM_HOTE above all); empty values leave the Pi as it is.
import { boolean, fail, integer, ok, optional, shown, textType, type ValueType } from '../value-types.js';
import { setting } from './spec.js';

/** One DNS label: what `hostname` and /etc/hosts take for a Pi (no dots, no underscores). */
function hostLabel(): ValueType<string> {
  const allowed = 'a host name of 1 to 63 letters, digits and - (not at either end)';
  return textType(allowed, (text) => {
    if (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(text)) return ok(text);
    const hint = text.includes('.') ? 'give the name alone, without the domain (salon, not salon.local)' : 'for example: salon or pi-cuisine';
    return fail(`must be ${allowed}; found ${shown(text)}`, hint);
  });
}

/** A tz database name (Europe/Paris, Etc/UTC, UTC): a path under /usr/share/zoneinfo. */
function timeZone(): ValueType<string> {
  const allowed = 'a time zone name such as Europe/Paris or UTC';
  return textType(allowed, (text) => {
    if (/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/.test(text)) return ok(text);
    return fail(`must be ${allowed}; found ${shown(text)}`, 'see `timedatectl list-timezones` on a Pi for the names');
  });
}

export const SYSTEM_SETTINGS = {
  NOM_HOTE: setting(optional(hostLabel()), '', 'system', ['system'],
    'Host name of the Pi (NOM_HOTE = host name), written to /etc/hostname and /etc/hosts. Usually set ' +
    'per host in the inventory. Empty: the name stays as it is.'),
  FUSEAU_HORAIRE: setting(optional(timeZone()), '', 'system', ['system'],
    'Time zone of the Pi (FUSEAU_HORAIRE = time zone), e.g. Europe/Paris: its logs and timers follow ' +
    'it. Empty: left as it is.'),
  APT_AGE_MAX_LISTES: setting(integer(0, 8760, 'hours'), '24', 'system', ['system'],
    'Hours the Pi\'s package lists may age before a run refreshes them (`apt-get update`; AGE_MAX = ' +
    'maximum age, LISTES = lists). 0: at every run.'),
  APT_MISE_A_NIVEAU: setting(boolean(), 'false', 'system', ['system'],
    'Upgrade every package of the Pi (`apt-get full-upgrade`; MISE_A_NIVEAU = upgrade) whenever one ' +
    'is out of date, as the upstream guide does first. Off by default: an upgrade can restart services.'),
  // The two SSH_* settings steer the run itself (the bootstrap and the access guard), not what a
  // role writes: no role uses them (usedBy []), and conf/orbis.conf.example leaves them out.
  SSH_DURCISSEMENT: setting(boolean(), 'true', 'ssh', [],
    'On a first contact by password (`--ask-pass`), harden SSH once the key is in (DURCISSEMENT = ' +
    'hardening): no password and no root login. Under a safety net: the Pi undoes it by itself unless ' +
    'orbis logs in again with the key within SSH_DELAI_CONFIRMATION.'),
  SSH_DELAI_CONFIRMATION: setting(integer(5, 3600, 'seconds'), '60', 'ssh', [],
    'Seconds after an SSH change within which orbis must log in again over a NEW connection (DELAI = ' +
    'delay); past it, the Pi restores its previous SSH configuration by itself.'),
};
