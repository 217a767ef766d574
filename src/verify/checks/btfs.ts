// BTFS: the streamer's input. Readiness is a ranged GET of the test CID through the gateway
// (200 or 206); `btfs version` proves nothing and the API answers 401 without a token in
// BTFS 4.x, which still shows the daemon is up (upstream-orbis.md §3, §6.7).
import type { Observations } from '../parse/output.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, type Outcome } from './outcome.js';

// curl exit codes worth naming.
const CURL_ERRORS: Record<number, string> = {
  6: 'the gateway host does not resolve',
  7: 'connection refused',
  28: 'no answer within 10 s',
  52: 'empty reply',
  56: 'connection reset',
};

function apiText(api: Observations['api']): string {
  if (!api || api.rc !== 0 || !api.code) return 'API does not answer';
  return api.code === 401 ? 'API answers 401 (token-protected, as BTFS 4.x does)' : `API answers ${api.code}`;
}

export function btfsGatewayCheck(input: VerifyInput, o: Pick<Observations, 'gateway' | 'api'>): Outcome {
  const name = CHECK.btfsGateway;
  const cid = input.btfs.testCid;
  const needs = [CHECK.unitBtfs, CHECK.listenGateway];
  const g = o.gateway;
  if (!g) return fail(name, 'not run', 'the verify script stopped before the gateway test', { settle: true });
  if (g.rc === 127) return fail(name, 'curl is not installed on the Pi', 'apt-get install curl (the btfs role installs it)');
  if (g.rc !== 0) {
    const why = CURL_ERRORS[g.rc] ?? (g.error || `curl exit ${g.rc}`);
    return fail(name, `${input.btfs.gatewayUrl}: ${why}; ${apiText(o.api)}`, 'the BTFS daemon is not serving its gateway: `systemctl status btfs`, `journalctl -u btfs -n 50`; BTFS_PASSERELLE must use BTFS_PORT_PASSERELLE', { settle: true, needs });
  }
  if (g.code === 200 || g.code === 206) {
    return pass(name, `ranged GET of ${cid}: ${g.code}, ${g.bytes} bytes in ${(g.seconds * 1000).toFixed(0)} ms; ${apiText(o.api)}`, true);
  }
  const hints: Record<number, string> = {
    401: 'the URL reaches the gateway root or the API, not /btfs/<CID>: BTFS_PASSERELLE must end with /btfs',
    404: 'the gateway has no such path: BTFS_PASSERELLE must be http://127.0.0.1:<port>/btfs',
    400: 'BTFS_HASH_TEST is not a valid CID',
    504: `the node could not find ${cid} on the network: check the Pi reaches BTFS peers, or set BTFS_HASH_TEST to content that is available`,
  };
  return fail(name, `ranged GET of ${cid}: HTTP ${g.code}; ${apiText(o.api)}`, hints[g.code] ?? 'the gateway answered but not with the video: see `journalctl -u btfs -n 50`', { settle: true, needs });
}
