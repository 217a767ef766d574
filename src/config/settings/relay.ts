// The local relay: nginx-rtmp receives the encode and pushes it; stunnel wraps the Kick push in TLS.
import { integer, ipv4Address, port, simpleName } from '../value-types.js';
import { setting } from './spec.js';

export const RELAY_SETTINGS = {
  NGINX_PORT_RTMP: setting(port(), '1935', 'relay', ['nginx-rtmp', 'orbis-service'],
    'Port of the local nginx-rtmp relay that FFmpeg publishes to. This one setting drives nginx, the ' +
    'streamer and the checks (upstream moved it to 9935 by hand in some files only).'),
  NGINX_ADRESSE_RTMP: setting(ipv4Address(), '127.0.0.1', 'relay', ['nginx-rtmp', 'orbis-service'],
    'Address the RTMP relay listens on (ADRESSE = address). 127.0.0.1 keeps it on the Pi; 0.0.0.0 would ' +
    'let anyone on the network play the stream.'),
  NGINX_CHEMIN_APPLICATION: setting(simpleName(), 'diffusion', 'relay', ['nginx-rtmp', 'orbis-service'],
    'Name of the nginx-rtmp application the streamer publishes into (diffusion = broadcast).'),
  NGINX_PORT_STATS: setting(port(), '8088', 'relay', ['nginx-rtmp'],
    'Port of the nginx statistics page (/stat), used by verify and `orbis status`.'),
  NGINX_ADRESSE_STATS: setting(ipv4Address(), '127.0.0.1', 'relay', ['nginx-rtmp'],
    'Address of the statistics page. Loopback by default: it has no authentication.'),
  NGINX_DELAI_RECONNEXION_PUSH: setting(integer(1, 300, 'seconds'), '3', 'relay', ['nginx-rtmp', 'stunnel'],
    'Seconds nginx-rtmp waits before reconnecting a dropped push to a platform (push_reconnect); the ' +
    'other platform keeps streaming meanwhile.'),
  STUNNEL_PORT_LOCAL: setting(port(), '11935', 'relay', ['nginx-rtmp', 'stunnel'],
    'Local port (on 127.0.0.1) where stunnel accepts the Kick push from nginx and forwards it over TLS.'),
};
