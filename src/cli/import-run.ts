// The two halves of `orbis import`, loaded only when the command runs: the import (probe the
// Pi, plan, write files and maybe secrets, report) and --remove-old (probe, gate on ownership,
// running processes and verify, then back up and remove). Everything printed goes through a
// last mask of the stream keys the run has seen.
import { connectOptionsOf } from './options.js';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, loadSettings, maskSecrets, SECRET_SETTING_NAMES, type LoadedSettings } from '../config/index.js';
import { isSecret, type Secret } from '../redact/secret.js';
import { inventoryName } from '../import/inventory-writer.js';
import { planImport, type ImportPlan, type KeysDestination } from '../import/plan.js';
import { readUpstream, UpstreamNotFound } from '../import/read-upstream.js';
import { probeUpstream, runRemoval } from '../import/remote.js';
import { removalPlan } from '../import/remove-old.js';
import { formatImportReport, importReport } from '../import/report.js';
import { formatRemoveOldReport, removeOldReport, type RemoveOldReport } from '../import/remove-old-report.js';
import { addSecrets } from '../secrets/add.js';
import { writeFileAtomic } from '../secrets/private-files.js';
import { connect, type SshConnectOptions, type SshTransport } from '../transport/index.js';
import { EXIT_FAILED, EXIT_OK } from './exit.js';
import { askHidden } from './prompt.js';
import type { CliRunOptions } from './run-and-report.js';

/** The connection options and --json as the other commands spell them (options.ts). */
type SharedOptions = Pick<CliRunOptions, 'json' | 'key' | 'knownHosts' | 'hostKeyPolicy' | 'sshConfig' | 'connectTimeout' | 'askBecomePass'>;

export interface ImportCliOptions extends SharedOptions {
  out: string;
  name?: string;
  project?: string;
  keys?: 'conf' | 'secrets';
  secrets?: string;
  identity?: string;
  force: boolean;
  removeOld: boolean;
  retryTimeout: string;
}

function connectOptions(o: ImportCliOptions, becomePassword?: Secret): SshConnectOptions {
  return { ...connectOptionsOf(o), ...(becomePassword ? { becomePassword } : {}) };
}

function secretsFileOf(o: ImportCliOptions): string {
  return o.secrets ?? join(o.out, 'conf', 'secrets.age');
}

async function askYesNo(question: string, byDefault: boolean): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const answer = await new Promise<string>((resolveAnswer) => rl.question(question, resolveAnswer));
  rl.close();
  const a = answer.trim().toLowerCase();
  return a === '' ? byDefault : a.startsWith('y') || a.startsWith('o');
}

/** --keys, else on a terminal (when there are keys and a secrets file to put them in) ask. */
async function keysDestination(o: ImportCliOptions, hasKeys: boolean): Promise<KeysDestination> {
  if (o.keys !== undefined) return o.keys;
  const file = secretsFileOf(o);
  if (!hasKeys || o.json || !process.stdin.isTTY || !existsSync(file)) return 'conf';
  return (await askYesNo(`Put the stream keys into ${file} (encrypted) rather than the conf file? [Y/n] `, true)) ? 'secrets' : 'conf';
}

function keysOf(plan: ImportPlan): Secret[] {
  return SECRET_SETTING_NAMES.flatMap((name) => {
    const value = plan.settings.get(name)?.value;
    return isSecret(value) && !value.isEmpty ? [value] : [];
  });
}

function progress(o: ImportCliOptions, message: string): void {
  if (!o.json) process.stderr.write(`${message}\n`);
}

async function withTransport<T>(target: string, o: ImportCliOptions, work: (t: SshTransport) => Promise<T>): Promise<T> {
  const becomePassword = o.askBecomePass ? await askHidden('sudo password: ') : undefined;
  const transport = await connect(target, connectOptions(o, becomePassword));
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}

export async function runImport(target: string, o: ImportCliOptions): Promise<number> {
  return o.removeOld ? runRemoveOld(target, o) : runImportOnly(target, o);
}

async function runImportOnly(target: string, o: ImportCliOptions): Promise<number> {
  return withTransport(target, o, async (transport) => {
    progress(o, `reading the upstream Orbis install on ${transport.name}`);
    const snapshot = await probeUpstream(transport, o.project === undefined ? {} : { project: o.project });
    let install;
    try {
      install = readUpstream(snapshot, transport.name);
    } catch (error) {
      if (error instanceof UpstreamNotFound) throw new Error(`${error.message} (hint: ${error.hint})`);
      throw error;
    }
    const t = transport.target;
    const connection = {
      user: t.user,
      port: t.port,
      ...(t.alias !== t.hostname ? { sshAlias: t.alias } : { address: t.hostname }),
      ...(o.key ? { key: resolve(o.key) } : {}),
    };
    const request = { connection, outDir: o.out, secretsFile: secretsFileOf(o), date: new Date(), keys: 'conf' as KeysDestination, ...(o.name ? { name: o.name } : {}) };
    let plan = planImport(install, request);
    const keys = keysOf(plan);
    const destination = await keysDestination(o, keys.length > 0);
    if (destination !== 'conf') plan = planImport(install, { ...request, keys: destination });

    const inTheWay = plan.files.filter((f) => existsSync(f.path)).map((f) => f.path);
    if (inTheWay.length > 0 && !o.force) {
      throw new ConfigError(inTheWay.map((file) => ({ file, message: 'exists already; nothing was written', hint: 'add --force to replace it, or write elsewhere with --out DIR' })));
    }
    if (plan.secrets.length > 0) {
      await addSecrets(plan.secrets, `stream keys of ${plan.name}, imported by \`orbis import\` on ${request.date.toISOString().slice(0, 10)}`, {
        file: secretsFileOf(o),
        ...(o.identity ? { identity: o.identity } : {}),
        ...(process.stdin.isTTY ? { askPassphrase: askHidden } : {}),
      });
    }
    for (const file of plan.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileAtomic(file.path, file.text, file.mode);
    }
    const report = importReport(plan, { target: transport.name, written: true, keys: destination, roundTrips: transport.roundTrips });
    const text = o.json ? `${JSON.stringify(report, null, 2)}\n` : formatImportReport(report);
    process.stdout.write(maskSecrets(text, keys));
    return plan.problems.length > 0 ? EXIT_FAILED : EXIT_OK;
  });
}

/** The imported settings, as provision reads them: the conf file and the host's inventory entry. */
async function importedSettings(o: ImportCliOptions, name: string): Promise<LoadedSettings> {
  const confPath = join(o.out, 'conf', 'orbis.conf');
  if (!existsSync(confPath)) {
    throw new ConfigError([{ file: confPath, message: 'no such file: --remove-old verifies the Pi against the imported configuration', hint: 'run `orbis import` first (with the same --out), or name the folder it wrote with --out' }]);
  }
  const inventory = join(o.out, 'inventory', `${name}.yaml`);
  let layers;
  if (existsSync(inventory)) {
    const { hostsFor } = await import('./targets.js');
    const [host] = await hostsFor([], { inventory: [inventory], limit: name, secrets: secretsFileOf(o), ...(o.identity ? { identity: o.identity } : {}) });
    layers = host?.layers;
  }
  return loadSettings({ confPath, ...(layers ? { layers } : {}) });
}

async function runRemoveOld(target: string, o: ImportCliOptions): Promise<number> {
  const retryTimeoutSec = Number(o.retryTimeout);
  if (!Number.isFinite(retryTimeoutSec) || retryTimeoutSec < 0) throw new Error(`--retry-timeout takes a number of seconds (0 or more), not "${o.retryTimeout}"`);
  return withTransport(target, o, async (transport) => {
    progress(o, `reading what is left of upstream Orbis on ${transport.name}`);
    const snapshot = await probeUpstream(transport, o.project === undefined ? {} : { project: o.project });
    const name = o.name ?? inventoryName(snapshot.hostname || transport.target.hostname);
    const loaded = await importedSettings(o, name);
    const secrets = SECRET_SETTING_NAMES.map((n) => loaded.settings[n]).filter((v): v is Secret => isSecret(v) && !v.isEmpty);
    const watermark = loaded.settings.FILIGRANE_IMAGE;
    const plan = removalPlan(snapshot, { ...(o.project === undefined ? {} : { project: o.project }), inUse: watermark ? [watermark] : [] });
    const finish = (report: RemoveOldReport): number => {
      const text = o.json ? `${JSON.stringify(report, null, 2)}\n` : formatRemoveOldReport(report);
      process.stdout.write(maskSecrets(text, secrets));
      return report.status === 'refused' || report.status === 'failed' ? EXIT_FAILED : EXIT_OK;
    };
    const base = { host: name, target: transport.name, plan };
    if (plan.remove.length === 0 && plan.disable.length === 0) return finish(removeOldReport({ ...base, status: 'nothing', roundTrips: transport.roundTrips }));
    if (plan.blockers.length > 0) return finish(removeOldReport({ ...base, status: 'refused', roundTrips: transport.roundTrips }));

    progress(o, 'verifying the orbis-managed stack before removing anything');
    const { verifyHost, verifyInputFrom } = await import('../verify/index.js');
    const verify = await verifyHost(transport, verifyInputFrom(loaded), { retryTimeoutSec, progress: (m) => progress(o, `verify: ${m}`) });
    if (verify.some((r) => r.status === 'fail')) return finish(removeOldReport({ ...base, status: 'refused', verify, roundTrips: transport.roundTrips }));

    progress(o, `archiving upstream's files on the Pi, then removing them`);
    const outcome = await runRemoval(transport, plan, new Date());
    return finish(removeOldReport({ ...base, status: outcome.code === 0 ? 'removed' : 'failed', verify, outcome, roundTrips: transport.roundTrips }));
  });
}
