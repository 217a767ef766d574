import { describe, expect, it } from 'vitest';
import { tlsCheck } from '../../../src/verify/checks/tls.js';
import { parseBrief, parseCertificate, parseOpensslDate } from '../../../src/verify/parse/openssl.js';
import { CERT_TEXT, KICK_HOST, labInput, TLS_OK } from './helpers.js';

// Recorded on a lab Pi (OpenSSL 3.0.20) against the lab's Kick stand-in.
const MISMATCH = `depth=0 CN = ${KICK_HOST}
verify error:num=62:hostname mismatch
40B73706DB7F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:
`;
const MISMATCH_NO_RETURN_ERROR = `depth=0 CN = ${KICK_HOST}
verify error:num=62:hostname mismatch
CONNECTION ESTABLISHED
Protocol version: TLSv1.3
Ciphersuite: TLS_AES_256_GCM_SHA384
Peer certificate: CN = ${KICK_HOST}
Hash used: SHA256
Signature type: ECDSA
Verification error: hostname mismatch
Server Temp Key: X25519, 253 bits
DONE
`;
const UNKNOWN_CA = `depth=0 CN = ${KICK_HOST}
verify error:num=20:unable to get local issuer certificate
40277BED747F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:
`;
const REFUSED = `40B785E7F77F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:117:calling connect()
40B785E7F77F0000:error:10000067:BIO routines:BIO_connect:connect error:../crypto/bio/bio_sock2.c:119:
connect:errno=111
`;
const DNS = `40C77BEE977F0000:error:10080002:BIO routines:BIO_lookup_ex:system lib:../crypto/bio/bio_addr.c:746:Name or service not known
connect:errno=0
`;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0) / 1000;

describe('openssl s_client -brief', () => {
  it('reads a verified handshake', () => {
    expect(parseBrief(TLS_OK)).toEqual({
      connected: true,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      peer: `CN = ${KICK_HOST}`,
      verification: 'OK',
    });
  });

  it('reads verification errors and connection errors', () => {
    expect(parseBrief(MISMATCH)).toMatchObject({ connected: false, verifyError: { code: 62, text: 'hostname mismatch' } });
    expect(parseBrief(MISMATCH_NO_RETURN_ERROR)).toMatchObject({ connected: true, verification: 'error: hostname mismatch' });
    expect(parseBrief(UNKNOWN_CA).verifyError).toEqual({ code: 20, text: 'unable to get local issuer certificate' });
    expect(parseBrief(REFUSED).connectError).toBe('connection refused');
    expect(parseBrief(DNS).connectError).toBe('the host name does not resolve');
  });

  it('reads the presented certificate', () => {
    const cert = parseCertificate(CERT_TEXT);
    expect(cert.subject).toBe(`CN = ${KICK_HOST}`);
    expect(cert.issuer).toBe('O = orbis lab, CN = orbis lab CA (verify)');
    expect(cert.notAfter?.toISOString()).toBe('2027-11-24T12:47:09.000Z');
    expect(cert.altNames).toEqual([KICK_HOST, 'ingest.orbis-lab']);
    expect(parseOpensslDate('Feb  3 01:02:03 2027 GMT')?.toISOString()).toBe('2027-02-03T01:02:03.000Z');
    expect(parseOpensslDate('2027-02-03')).toBeUndefined();
  });
});

describe('tls.kick', () => {
  const input = labInput();
  it('passes with protocol, cipher, subject and expiry', () => {
    const r = tlsCheck(input, { rc: 0, output: TLS_OK }, CERT_TEXT, '10.216.0.2', NOW);
    expect(r).toMatchObject({ status: 'pass' });
    expect(r?.value).toBe(`TLSv1.3 TLS_AES_256_GCM_SHA384, CN = ${KICK_HOST}, verified for ${KICK_HOST}, expires 2027-11-24 (365 days)`);
  });

  it('warns under 14 days, fails when the chain says expired', () => {
    const soon = CERT_TEXT.replace('Nov 24 12:47:09 2027', 'Dec  1 00:00:00 2026');
    expect(tlsCheck(input, { rc: 0, output: TLS_OK }, soon, '10.216.0.2', NOW)).toMatchObject({ status: 'warn' });
    const expired = tlsCheck(input, { rc: 1, output: `verify error:num=10:certificate has expired\n` }, CERT_TEXT, '10.216.0.2', NOW);
    expect(expired).toMatchObject({ status: 'fail', value: expect.stringContaining('certificate has expired') });
  });

  it('a certificate for another name fails, saying what was presented and where the name resolves', () => {
    const other = CERT_TEXT.replaceAll(KICK_HOST, 'impostor.orbis-lab').replace(', DNS:ingest.orbis-lab', '');
    const r = tlsCheck(input, { rc: 1, output: MISMATCH }, other, '10.216.0.11', NOW);
    expect(r?.status).toBe('fail');
    expect(r?.value).toContain(`certificate is not for ${KICK_HOST}: hostname mismatch; the server presented CN = impostor.orbis-lab, names impostor.orbis-lab`);
    expect(r?.hint).toContain(`${KICK_HOST} resolves to 10.216.0.11`);
    expect(r?.hint).toContain('/etc/hosts');
  });

  it('exit 0 with a failed Verification line still fails (the s_client trap)', () => {
    expect(tlsCheck(input, { rc: 0, output: MISMATCH_NO_RETURN_ERROR }, CERT_TEXT, '10.216.0.2', NOW)?.status).toBe('fail');
    expect(tlsCheck(input, { rc: 0, output: 'CONNECTION ESTABLISHED\nDONE\n' }, CERT_TEXT, '10.216.0.2', NOW)?.status).toBe('fail');
  });

  it('an untrusted chain points at the CA store', () => {
    const r = tlsCheck(input, { rc: 1, output: UNKNOWN_CA }, CERT_TEXT, '10.216.0.2', NOW);
    expect(r?.value).toContain('certificate not trusted by the Pi: unable to get local issuer certificate; the server presented');
    expect(r?.value).toContain('issued by O = orbis lab');
    expect(r?.hint).toContain('ca-certificates');
  });

  it('connection problems, timeouts and a missing openssl', () => {
    expect(tlsCheck(input, { rc: 1, output: REFUSED }, '', '10.216.0.2', NOW)?.value).toBe(`cannot reach ${KICK_HOST}:443 (10.216.0.2): connection refused`);
    expect(tlsCheck(input, { rc: 1, output: DNS }, '', '', NOW)?.hint).toContain('cannot resolve');
    expect(tlsCheck(input, { rc: 124, output: '' }, '', '10.216.0.2', NOW)?.value).toContain('no TLS answer');
    expect(tlsCheck(input, { rc: 127, output: '' }, '', '', NOW)?.value).toBe('openssl is not installed on the Pi');
  });

  it('is not a check when Kick is off', () => {
    expect(tlsCheck(labInput(['KICK_ACTIF=false']), { rc: 0, output: TLS_OK }, CERT_TEXT, '', NOW)).toBeUndefined();
  });
});
