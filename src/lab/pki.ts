// The lab's own certificate authority and the ingest's certificate for the Kick ingest host
// name, made with the controller's openssl. Lab Pis trust the CA, so a correctly configured
// stunnel client (verifyChain + checkHost) accepts the stand-in, and a client that does not
// trust the CA is refused, as it would be by a real impostor.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';

export interface LabPki {
  caCert: string;
  caKey: string;
  /** `openssl x509 -hash` of the CA: the name of its link in /etc/ssl/certs. */
  caHash: string;
  serverCert: string;
  serverKey: string;
}

const HINT = 'the lab needs openssl on this machine (apt-get install openssl)';

export async function ensureLabPki(dir: string, labName: string, serverNames: readonly string[]): Promise<LabPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pki: LabPki = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    caHash: '',
    serverCert: join(dir, 'ingest.crt'),
    serverKey: join(dir, 'ingest.key'),
  };
  const openssl = (args: string[]) => run('openssl', args, { hint: HINT });
  if (!existsSync(pki.caCert)) {
    await openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', pki.caKey, '-out', pki.caCert, '-days', '365',
      '-subj', `/O=orbis lab/CN=orbis lab CA (${labName})`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  if (!existsSync(pki.serverCert)) {
    const csr = join(dir, 'ingest.csr');
    const ext = join(dir, 'ingest.ext');
    await openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', pki.serverKey, '-out', csr, '-subj', `/CN=${serverNames[0] ?? 'ingest'}`,
    ]);
    await writeFile(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${serverNames.map((n) => `DNS:${n}`).join(',')}`,
        '',
      ].join('\n'),
    );
    await openssl([
      'x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial',
      '-out', pki.serverCert, '-days', '365', '-extfile', ext,
    ]);
  }
  pki.caHash = (await openssl(['x509', '-hash', '-noout', '-in', pki.caCert])).stdout.trim();
  return pki;
}
