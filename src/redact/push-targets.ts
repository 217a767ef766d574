// Nothing verify shows may carry a stream key (DESIGN.md). Two layers, because either alone can
// miss: the known key values are masked wherever they appear, and any RTMP push target
// (`rtmp://host/app/<key>` or /stat's `host[:port]/app/<key>`) has the segment after the
// application masked, whatever it is (a key orbis was not told about, an old one still live).
import { maskSecrets, Secret } from './secret.js';

const MASK = Secret.MASK;
// The part kept: an rtmp(s) URL's host and application, or a bare host with a dot or a port
// (not preceded by a path, so /etc/nginx/conf.d/x stays readable), then its application.
const PUSH_TARGET =
  /(\brtmps?:\/\/[^\s/"'<>]+\/[^\s/"'<>]+\/|(?<![\w./:@-])(?:(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+(?::\d+)?|localhost:\d+)\/[A-Za-z0-9._~-]+\/)([^\s"'<>;,)]+)/g;

/** `shown`: a stream name known to hold no key (one orbis itself writes, e.g. the local `orbis`). */
export function redactPushTargets(text: string, shown: (name: string) => boolean = () => false): string {
  return text.replace(PUSH_TARGET, (_all, kept: string, secret: string) => (secret === MASK || shown(secret) ? `${kept}${secret}` : `${kept}${MASK}`));
}

export function redact(text: string, secrets: Iterable<string | Secret>): string {
  return redactPushTargets(maskSecrets(text, secrets));
}
