// `node dist/test/wire/record-answers.js CONF USER@HOST KEY KNOWN_HOSTS OUT_DIR` (after `npm run
// build`): what a real Pi answers to orbis's scripts, recorded for the decoder's tests
// (test/unit/wire/lab-answers.test.ts), as pyinfra records its facts. It runs orbis's own code
// for one host, as the application layer does without the CLI: the facts probe of the whole
// stack, verify, a status look and the run history, each through a transport that keeps what the
// Pi printed. Any stream key of CONF found in an answer stops it before anything is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepare, secretValuesOf } from '../../src/app/prepare.js';
import { decideEncoder } from '../../src/config/encoder-args.js';
import { readHistory } from '../../src/engine/history.js';
import { probeFacts } from '../../src/engine/run.js';
import { renderContext } from '../../src/roles/context.js';
import { observe } from '../../src/status/run.js';
import { connect } from '../../src/transport/ssh.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/types.js';
import { verifyInputFrom } from '../../src/verify/input.js';
import { verifyHost } from '../../src/verify/run.js';
import { ORBIS_VERSION } from '../../src/version.js';

/** A transport that keeps each command's stdout under its label. */
class Recording implements Transport {
  readonly answers = new Map<string, string>();
  constructor(private readonly inner: Transport) {}
  get name(): string {
    return this.inner.name;
  }
  get roundTrips(): number {
    return this.inner.roundTrips;
  }
  get connections(): number {
    return this.inner.connections;
  }
  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const result = await this.inner.exec(command, options);
    this.answers.set(options?.label ?? command, result.stdout);
    return result;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const [confPath, target, key, knownHosts, out] = process.argv.slice(2);
if (!confPath || !target || !key || !knownHosts || !out) throw new Error('usage: record-answers.js CONF USER@HOST KEY KNOWN_HOSTS OUT_DIR');
const host = { name: 'pi', target };
const prepared = prepare({
  command: 'record',
  mode: 'check',
  checkStatus: 'drift',
  hosts: [host],
  confPath,
  confExplicit: true,
  vars: [],
  connect: {},
  concurrency: 1,
  quiet: true,
  lockWaitSec: 0,
});
const loaded = prepared.settingsFor(host);
const transport = new Recording(await connect(target, { identityFile: key, knownHostsFile: knownHosts, configFile: null, hostKeyPolicy: 'strict', name: 'pi' }));
try {
  const roles = { roles: prepared.roles, renderer: prepared.renderer, contextFor: (facts: Parameters<typeof renderContext>[2]) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION) };
  const facts = await probeFacts(transport, roles);
  const input = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, facts).encoder });
  await verifyHost(transport, input, { retryTimeoutSec: 30 });
  await observe(transport, { ...verifyInputFrom(loaded), pushReconnectSec: loaded.settings.NGINX_DELAI_RECONNEXION_PUSH });
  await readHistory(transport);
} finally {
  await transport.close();
}
const keys = secretValuesOf(loaded);
mkdirSync(out, { recursive: true });
const files: Array<[string, string]> = [...transport.answers].map(([label, stdout]) => [`${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.txt`, stdout]);
for (const [file, stdout] of files) {
  const decoded = stdout.split(/[\t\n]/).map((field) => Buffer.from(field, 'base64').toString('utf8'));
  if (keys.some((k) => stdout.includes(k) || decoded.some((d) => d.includes(k)))) throw new Error(`${file}: the answer holds a stream key: not recorded`);
}
for (const [file, stdout] of files) writeFileSync(join(out, file), stdout);
process.stdout.write(`${files.map(([f, s]) => `${join(out, f)}: ${s.split('\n').length - 1} lines`).join('\n')}\n`);
