// TLS to Kick, from the Pi, against the Pi's own CA store, with chain AND host-name
// verification: what stunnel (verifyChain + checkHost) will face. Reports the protocol, cipher,
// certificate subject and expiry; warns when the certificate expires within 14 days.
import type { CertificateInfo, TlsHandshake } from '../parse/openssl.js';
import { parseBrief, parseCertificate } from '../parse/openssl.js';
import type { CommandOutput } from '../parse/output.js';
import type { VerifyInput } from '../types.js';
import { CHECK, fail, pass, warn, type Outcome } from './outcome.js';

export const EXPIRY_WARN_DAYS = 14;

const DAY_MS = 86_400_000;

// OpenSSL verify error numbers (X509_V_ERR_*) that mean "no trusted chain".
const UNTRUSTED = new Set([2, 18, 19, 20, 21, 27, 28]);

function presented(cert: CertificateInfo | undefined): string {
  if (!cert?.subject) return '';
  const names = cert.altNames.length > 0 ? `, names ${cert.altNames.join(', ')}` : '';
  return `the server presented ${cert.subject}${names}${cert.issuer ? `, issued by ${cert.issuer}` : ''}`;
}

function expiry(cert: CertificateInfo | undefined, hostNow: number | undefined): { text: string; days?: number } {
  if (!cert?.notAfter) return { text: 'expiry unknown' };
  const days = Math.floor((cert.notAfter.getTime() - (hostNow ?? Date.now() / 1000) * 1000) / DAY_MS);
  return { text: `expires ${cert.notAfter.toISOString().slice(0, 10)} (${days} days)`, days };
}

function failureHint(hs: TlsHandshake, kick: NonNullable<VerifyInput['kick']>, address: string | undefined, cert: CertificateInfo | undefined): { value: string; hint: string } {
  const where = `${kick.host}:${kick.port}${address ? ` (${address})` : ''}`;
  const shown = presented(cert);
  if (hs.connectError) {
    const dns = hs.connectError.includes('resolve');
    return {
      value: `cannot reach ${where}: ${hs.connectError}`,
      hint: dns
        ? `the Pi cannot resolve ${kick.host}: check its DNS (/etc/resolv.conf) and KICK_SERVEUR_REEL`
        : `the Pi cannot open a TLS connection to Kick's ingest: check its network and firewall, and KICK_SERVEUR_REEL / KICK_PORT_REEL`,
    };
  }
  const e = hs.verifyError;
  if (e?.code === 62 || /hostname mismatch/i.test(e?.text ?? '')) {
    return {
      value: `certificate is not for ${kick.host}: ${e?.text ?? 'hostname mismatch'}${shown ? `; ${shown}` : ''}`,
      hint: `${kick.host} resolves to ${address || 'an address'} whose server has a certificate for another name: check /etc/hosts and DNS on the Pi (\`getent hosts ${kick.host}\`) and KICK_SERVEUR_REEL; stunnel (checkHost) refuses it too`,
    };
  }
  if (e && UNTRUSTED.has(e.code)) {
    return {
      value: `certificate not trusted by the Pi: ${e.text}${shown ? `; ${shown}` : ''}`,
      hint: 'the Pi\'s CA store (/etc/ssl/certs) lacks the issuer of this certificate: reinstall ca-certificates (`apt-get install --reinstall ca-certificates && update-ca-certificates`); if the issuer is unexpected, something intercepts the connection',
    };
  }
  if (e?.code === 9 || e?.code === 10) {
    return {
      value: `certificate ${e.text}${shown ? `; ${shown}` : ''}`,
      hint: e.code === 9 ? 'the Pi\'s clock is probably behind: see the clock check (a Pi has no real-time clock)' : 'the certificate expired, or the Pi\'s clock is ahead: see the clock check',
    };
  }
  if (e) return { value: `verification failed: ${e.text}${shown ? `; ${shown}` : ''}`, hint: 'the Pi refuses Kick\'s certificate, and so will stunnel: see `openssl s_client -connect ' + `${kick.host}:${kick.port} -verify_return_error` + '` on the Pi' };
  return { value: `handshake failed${hs.verification ? `: ${hs.verification}` : ''}`, hint: `see \`openssl s_client -connect ${kick.host}:${kick.port} -brief\` on the Pi` };
}

export function tlsCheck(input: VerifyInput, tls: CommandOutput | undefined, certText: string | undefined, address: string | undefined, hostNow: number | undefined): Outcome | undefined {
  const kick = input.kick;
  if (!kick) return undefined;
  if (!tls) return fail(CHECK.tlsKick, 'not run', 'the verify script stopped before the TLS test');
  if (tls.rc === 127) return fail(CHECK.tlsKick, 'openssl is not installed on the Pi', 'apt-get install openssl (Raspberry Pi OS Lite ships it)');
  const hs = parseBrief(tls.output);
  const cert = certText ? parseCertificate(certText) : undefined;
  if (tls.rc === 124) return fail(CHECK.tlsKick, `no TLS answer from ${kick.host}:${kick.port} within 15 s`, 'a firewall drops the connection, or the server does not speak TLS on that port: check KICK_PORT_REEL');
  // Both must agree: the exit code (with -verify_return_error) and the Verification line.
  if (tls.rc !== 0 || !hs.connected || hs.verification !== 'OK') {
    const { value, hint } = failureHint(hs, kick, address, cert);
    return fail(CHECK.tlsKick, value, hint);
  }
  const exp = expiry(cert, hostNow);
  const value = `${hs.protocol ?? '?'} ${hs.cipher ?? '?'}, ${hs.peer ?? cert?.subject ?? 'subject unknown'}, verified for ${kick.host}, ${exp.text}`;
  if (exp.days !== undefined && exp.days < EXPIRY_WARN_DAYS) {
    return warn(CHECK.tlsKick, value, `Kick's certificate expires in ${exp.days} days: if the Pi still fails after that date, check its clock and ca-certificates`);
  }
  return pass(CHECK.tlsKick, value);
}
