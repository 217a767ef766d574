// DLive reachability: a TCP connection from the Pi to DLive's RTMP ingest (plain RTMP, so a
// connect is all that can be proved without a key).
import type { Observations } from '../parse/output.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, type Outcome } from './outcome.js';

export function dliveReachCheck(input: VerifyInput, o: Pick<Observations, 'dlive' | 'resolved'>): Outcome | undefined {
  const dlive = input.dlive;
  if (!dlive) return undefined;
  const target = `${dlive.host}:${dlive.port}`;
  const address = o.resolved[dlive.host];
  if (!o.dlive) return fail(CHECK.reachDlive, 'not run', 'the verify script stopped before the DLive test');
  if (address === '') {
    return fail(CHECK.reachDlive, `${dlive.host} does not resolve on the Pi`, 'check the Pi\'s DNS (/etc/resolv.conf) and DLIVE_SERVEUR');
  }
  const at = address ? ` (${address})` : '';
  if (o.dlive.rc === 0) return pass(CHECK.reachDlive, `${target}${at}: TCP connect in ${o.dlive.ms} ms`);
  if (o.dlive.rc === 124) {
    return fail(CHECK.reachDlive, `${target}${at}: no answer within 5 s`, 'a firewall drops the connection (outgoing TCP 1935 must be open), or DLIVE_SERVEUR points to the wrong host');
  }
  const refused = /refused/i.test(o.dlive.error);
  return fail(
    CHECK.reachDlive,
    `${target}${at}: ${refused ? 'connection refused' : o.dlive.error.split('\n').pop() || `connect failed (exit ${o.dlive.rc})`}`,
    refused ? 'nothing accepts RTMP there: check DLIVE_SERVEUR (host and port)' : 'check the Pi\'s network route to DLive (`ip route`, firewall) and DLIVE_SERVEUR',
  );
}
