// `openssl s_client -brief` output (OpenSSL 3) and `openssl x509 -subject -issuer -enddate`.
// s_client's exit code alone lies (0 when verification failed without -verify_return_error),
// so both the code and the Verification line are read.

export interface TlsHandshake {
  connected: boolean;
  protocol?: string;
  cipher?: string;
  peer?: string;
  /** The `Verification:` line: "OK", or the error. */
  verification?: string;
  /** `verify error:num=N:text` when verification failed. */
  verifyError?: { code: number; text: string };
  /** A connection-level error: refused, name not known, timed out. */
  connectError?: string;
}

export function parseBrief(output: string): TlsHandshake {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(output);
    return m?.[1]?.trim();
  };
  const hs: TlsHandshake = { connected: /^CONNECTION ESTABLISHED$/m.test(output) };
  const protocol = field('Protocol version');
  const cipher = field('Ciphersuite');
  const peer = field('Peer certificate');
  const verification = field('Verification') ?? field('Verification error');
  if (protocol) hs.protocol = protocol;
  if (cipher) hs.cipher = cipher;
  if (peer) hs.peer = peer;
  if (verification) hs.verification = /^Verification error:/m.test(output) ? `error: ${verification}` : verification;
  const ve = /verify error:num=(\d+):(.*)$/m.exec(output);
  if (ve) hs.verifyError = { code: Number(ve[1]), text: (ve[2] ?? '').trim() };
  const connect = connectionError(output);
  if (connect) hs.connectError = connect;
  return hs;
}

function connectionError(output: string): string | undefined {
  if (/Connection refused/.test(output)) return 'connection refused';
  if (/Name or service not known|nodename nor servname|Temporary failure in name resolution/.test(output)) return 'the host name does not resolve';
  if (/No route to host/.test(output)) return 'no route to host';
  if (/Network is unreachable/.test(output)) return 'network unreachable';
  if (/Connection timed out/.test(output)) return 'connection timed out';
  if (/Connection reset by peer/.test(output)) return 'connection reset by the server';
  if (/wrong version number|packet length too long|unexpected eof while reading/i.test(output)) return 'the server did not answer TLS';
  return undefined;
}

export interface CertificateInfo {
  subject?: string;
  issuer?: string;
  notAfter?: Date;
  altNames: string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Nov 24 12:47:09 2027 GMT` (OpenSSL's default date format). */
export function parseOpensslDate(text: string): Date | undefined {
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s+GMT$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] ?? '');
  if (month < 0) return undefined;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

export function parseCertificate(text: string): CertificateInfo {
  const line = (name: string): string | undefined => new RegExp(`^${name}=\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const info: CertificateInfo = { altNames: [] };
  const subject = line('subject');
  const issuer = line('issuer');
  const notAfter = line('notAfter');
  if (subject) info.subject = subject;
  if (issuer) info.issuer = issuer;
  const date = notAfter ? parseOpensslDate(notAfter) : undefined;
  if (date) info.notAfter = date;
  const san = /Subject Alternative Name:\s*\n\s*(.*)$/m.exec(text)?.[1] ?? '';
  info.altNames = san.split(',').map((s) => s.trim().replace(/^DNS:/, '')).filter((s) => s.length > 0);
  return info;
}
