// `npm run bench` (issues #9 and #20; not part of CI or `npm test`): boots lab Pis, converges
// them once with the streamer idle (see fleet.ts), then times the CLI as package.json's `bin`
// names it against them with hyperfine: no-op runs and `check` on idle fleets (with a --forks
// sweep on the large ones), first provisions beside an apt-get baseline, then the same commands
// on a Pi that streams, beside the Ansible peer playbook on an identical streaming host
// (streaming.ts). Prints medians and spread, round trips and SSH connections per host (from
// `--json`), the controller's peak memory (GNU time), where the time went (hosts[].phasesMs),
// Ansible's time over orbis's, and a verdict per target. Needs root (the lab). Tears the lab
// down unless --keep-lab.
import { Command } from '@commander-js/extra-typings';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { APT_OPTIONS, call } from '../../src/engine/apply-script.js';
import { composeScript } from '../../src/pi/scripts.js';
import { addHost, labDown, labUp, loadLab, sshRun, type LabHost, type LabState } from '../../src/lab/index.js';
import type { RunReport } from '../../src/report/result.js';
import { packageRoot } from '../../src/util/paths.js';
import { shCommand, shq } from '../../src/util/shell.js';
import { orbis } from '../e2e/helpers/orbis.js';
import { benchEnv, hostsNamed, idleStreamer, sshConfigFor, writeInventory } from './fleet.js';
import { comparisonTable, failuresTable, measuresTable, phasesTable, targetsTable } from './format.js';
import { BenchUsageError, DEFAULTS, defaultAnsiblePeer, resolveOptions, type BenchOptions, type RawOptions } from './options.js';
import { ansibleRecapOf, digestReport, measureIds, peakRssOf, pressureTotalOf, type MeasureFailure, type MeasureResult } from './results.js';
import { availableTool, hasGnuTime, timeRuns, type Tool } from './runner.js';
import { summarize } from './stats.js';
import {
  ansibleEnv,
  findAnsible,
  hostsCpu,
  installPeerStreamer,
  PEER_HOST,
  peerInventory,
  peerProblem,
  readPeerStack,
  STREAM_HOST,
  streamSettings,
  waitArriving,
} from './streaming.js';
import { evaluateTargets } from './targets.js';

/** The CLI people run: package.json's `bin` (whatever the build makes of it). */
function cliPath(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.orbis;
  if (!bin) throw new Error('package.json names no `bin` for orbis');
  return join(packageRoot(), bin);
}

const CLI = cliPath();
const FRESH = join(packageRoot(), 'dist', 'test', 'bench', 'fresh.js');
/** Stand-in stream keys: the lab's ingest records whatever it gets; nothing streams anyway. */
const BENCH_KEYS = { dlive: 'bench_dlive_key', kick: 'bench_kick_sk_key' };

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** One thing to time: an orbis command, the Ansible peer or the apt-get baseline, and what to keep of it. */
interface Measure {
  id: string;
  label: string;
  hosts: number;
  argv: string[];
  prepare?: string[];
  runs: number;
  warmup: number;
  /**
   * orbis (with --json): keep its last report and its peak memory; ansible: its last recap (of
   * `recapHost`) and peak memory; plain: the time only.
   */
  kind: 'orbis' | 'ansible' | 'plain';
  recapHost?: string;
  /** Added to the bench's environment for this command. */
  env?: Record<string, string>;
}

interface Context {
  options: BenchOptions;
  tool: Tool;
  gnuTime: boolean;
  work: string;
  env: NodeJS.ProcessEnv;
}

/** CPU stall so far (µs; /proc/pressure/cpu), when the kernel reports it. */
function cpuStall(): number | undefined {
  try {
    return pressureTotalOf(readFileSync('/proc/pressure/cpu', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The "some" averages of /proc/pressure/cpu (% of the last 10 s, 60 s, 300 s some task waited for a CPU). */
function cpuPressureNow(): string {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find((l) => l.startsWith('some')) ?? '';
    return ['avg10', 'avg60', 'avg300'].map((k) => new RegExp(`${k}=([\\d.]+)`).exec(line)?.[1] ?? '?').join(' ');
  } catch {
    return 'not reported';
  }
}

async function runMeasure(m: Measure, ctx: Context): Promise<MeasureResult> {
  log(`measuring ${m.label}: ${m.warmup} warm-up + ${m.runs} run(s)`);
  const kept = m.kind !== 'plain';
  const outputFile = kept ? join(ctx.work, `${m.id}.${m.kind === 'orbis' ? 'json' : 'out'}`) : undefined;
  const rssFile = kept && ctx.gnuTime ? join(ctx.work, `${m.id}.rss`) : undefined;
  if (rssFile) writeFileSync(rssFile, '');
  const env = m.env ? { ...ctx.env, ...m.env } : ctx.env;
  const stallBefore = cpuStall();
  const startedAt = process.hrtime.bigint();
  const times = await timeRuns(
    { name: m.id, argv: m.argv, ...(m.prepare ? { prepare: m.prepare } : {}), runs: m.runs, warmup: m.warmup, ...(outputFile ? { outputFile } : {}), ...(rssFile ? { rssFile } : {}), env },
    ctx.tool,
    ctx.work,
  );
  const elapsedUs = Number(process.hrtime.bigint() - startedAt) / 1000;
  const stallAfter = cpuStall();
  const result: MeasureResult = { id: m.id, label: m.label, hosts: m.hosts, tool: ctx.tool, seconds: summarize(times), lastSeconds: times[times.length - 1] ?? Number.NaN };
  if (stallBefore !== undefined && stallAfter !== undefined) result.cpuPressure = (stallAfter - stallBefore) / elapsedUs;
  if (rssFile) {
    const peak = peakRssOf(readFileSync(rssFile, 'utf8'));
    if (peak !== undefined) result.peakRssKiB = peak;
  }
  if (outputFile && m.kind === 'orbis') result.report = digestReport(JSON.parse(readFileSync(outputFile, 'utf8')) as RunReport);
  if (outputFile && m.kind === 'ansible') {
    // A no-op or check run that changed something would time changes (the drop-in that makes
    // the peer stream is no file of the playbook's: its runs stay changed=0).
    const recap = ansibleRecapOf(readFileSync(outputFile, 'utf8'), m.recapHost ?? '');
    if (!recap || recap.changed !== 0 || recap.failed !== 0 || recap.unreachable !== 0) {
      throw new Error(`the last run is no clean no-op (PLAY RECAP of ${m.recapHost}: ${recap ? JSON.stringify(recap) : 'none'}; its output: ${outputFile})`);
    }
    result.recap = recap;
  }
  return result;
}

/** The apt-get baseline: the same packages, installed by hand over ssh the way the apply script does. */
function aptBaselineScript(aliases: readonly string[], sshConfig: string, packages: readonly string[]): string {
  // src/pi/apt.sh, as the apply script runs it.
  const inner = composeScript({
    vars: { APT_OPTS: APT_OPTIONS },
    files: ['apt.sh'],
    main: ['export DEBIAN_FRONTEND=noninteractive', 'if apt_lists_stale; then apt-get update -q; fi', call('apt_get', 'install', ...packages)],
  });
  return [
    '#!/bin/bash',
    '# orbis bench: apt-get install of the packages a first provision installs, over ssh, on each host at once',
    'rc=0',
    ...aliases.map((a) => `ssh -F ${shq(sshConfig)} ${shq(a)} ${shq(`sudo bash -c ${shq(inner)}`)} >/dev/null 2>&1 &`),
    'for job in $(jobs -p); do wait "$job" || rc=1; done',
    'exit $rc',
    '',
  ].join('\n');
}

async function converge(inventory: string, conn: string[], env: NodeJS.ProcessEnv, hosts: number): Promise<void> {
  const started = Date.now();
  log(`converging ${hosts} host(s) once (apply --no-verify; apt included)`);
  // apt on every host: 50 of them took over 10 minutes on this 2-core machine.
  const applied = await orbis(['apply', '-i', inventory, '--no-verify', '--json', ...conn], { env: env as Record<string, string>, timeoutMs: 3_600_000 });
  if (applied.code !== 0) throw new Error(`the first converge failed (exit ${applied.code}):\n${applied.stderr.slice(-3000)}`);
  log(`converged in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // A no-op bench on hosts that are not in sync would time changes, not a no-op.
  const check = await orbis(['check', '-i', inventory, '--json', ...conn], { env: env as Record<string, string> });
  if (check.code !== 0) throw new Error(`after converging, check exits ${check.code} instead of 0 (in sync):\n${check.stdout.slice(-3000)}${check.stderr.slice(-2000)}`);
}

/** The lab's view of a host now (addHost's return is the host as it was planned). */
async function labHost(labName: string, name: string): Promise<LabHost> {
  const host = (await loadLab(labName)).hosts[name];
  if (!host) throw new Error(`lab "${labName}" has no host ${name}`);
  return host;
}

/** Run a command to its end; its output (stdout and stderr), or an error with the end of it. */
async function mustRun(what: string, argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 900_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${what} exited ${code ?? signal}:\n${out.slice(-3000)}`));
    });
  });
}

/** What the streaming phase found, for the printed report and the JSON. */
interface StreamingInfo {
  ansible?: string;
  /** Each streaming host's CPU while it streamed and nothing was measured, in cores. */
  cpu?: Record<string, number>;
  /** Streams that did not arrive at the stand-in platforms, before and after the measures. */
  notArriving?: { before: string[]; after: string[] };
}

interface Phase {
  ctx: Context;
  lab: LabState;
  env: NodeJS.ProcessEnv;
  conn: string[];
  measure: (m: Measure) => Promise<MeasureResult | undefined>;
  fail: (f: MeasureFailure) => void;
}

const STREAM_MEASURES = [
  { id: measureIds.streamProvisionNoop, label: 'provision --no-verify, no-op, 1 streaming Pi' },
  { id: measureIds.streamCheck, label: 'check, 1 streaming Pi' },
  { id: measureIds.streamProvision, label: 'provision (with verify), no-op, 1 streaming Pi' },
];
const ANSIBLE_MEASURES = [
  { id: measureIds.ansibleConverge, label: 'ansible-playbook site.yml, no-op, 1 streaming host' },
  { id: measureIds.ansibleCheck, label: 'ansible-playbook site.yml --check, 1 streaming host' },
];

/**
 * The streaming Pi and the Ansible peer's host (streaming.ts): both converged (side by side),
 * both streaming to the stand-in platforms, then orbis's no-op commands and the peer's no-op and
 * check runs timed, each streaming host's CPU sampled between.
 */
async function streamingPhase(p: Phase): Promise<StreamingInfo> {
  const { options } = p.ctx;
  const info: StreamingInfo = {};
  const failAll = (list: ReadonlyArray<{ id: string; label: string }>, reason: string, skipped: boolean) => list.forEach((m) => p.fail({ ...m, reason, skipped }));

  let peerReason: string | undefined;
  let ansiblePath = '';
  if (!options.ansible) peerReason = 'left out (--no-ansible)';
  else {
    const found = findAnsible();
    if ('missing' in found) peerReason = found.missing;
    else {
      ansiblePath = found.path;
      info.ansible = found.version;
      peerReason = peerProblem(options.ansiblePeer);
    }
  }
  if (peerReason) {
    log(`the Ansible peer is not measured: ${peerReason}; its measures and ratios say n/a`);
    failAll(ANSIBLE_MEASURES, peerReason, true);
  }
  const withPeer = peerReason === undefined;

  log(`streaming phase: ${STREAM_HOST} (orbis, the whole stack on air)${withPeer ? ` and ${PEER_HOST} (the Ansible peer, ${info.ansible})` : ''}`);
  // A reused lab may have them already (their first runs are then no-ops).
  const present = (await loadLab(options.labName)).hosts;
  await Promise.all([STREAM_HOST, ...(withPeer ? [PEER_HOST] : [])].filter((name) => !present[name]).map((name) => addHost(p.lab, { name })));
  const stream = await labHost(options.labName, STREAM_HOST);
  const streamEnv = { ...p.env, ...streamSettings() };
  const target = `pi@${stream.address}`;
  const orbisArgv = (command: string, ...more: string[]) => [process.execPath, CLI, command, target, '--key', stream.keyPath, '--ssh-config', '/dev/null', '--json', ...more, ...p.conn];

  const peerInventoryFile = join(p.ctx.work, 'peer.ini');
  const siteYml = join(options.ansiblePeer, 'site.yml');
  const peerEnv = { ...process.env, ...ansibleEnv(options.ansiblePeer) };
  const playbook = (...more: string[]) => [ansiblePath, '-i', peerInventoryFile, siteYml, ...more];

  // Both first runs side by side (apt dominates both).
  const started = Date.now();
  const [orbisFirst, peerFirst] = await Promise.allSettled([
    (async () => {
      const first = await orbis(orbisArgv('provision').slice(2), { env: streamEnv as Record<string, string>, timeoutMs: 900_000 });
      if (first.code !== 0) throw new Error(`the first provision of ${STREAM_HOST} exited ${first.code}: ${first.stderr.slice(-2000)}`);
      const check = await orbis(orbisArgv('check').slice(2), { env: streamEnv as Record<string, string> });
      if (check.code !== 0) throw new Error(`after its first provision, check of ${STREAM_HOST} exits ${check.code} instead of 0 (in sync): ${check.stdout.slice(-2000)}`);
    })(),
    (async () => {
      if (!withPeer) return;
      const peer = await labHost(options.labName, PEER_HOST);
      writeFileSync(peerInventoryFile, peerInventory(peer));
      await mustRun('the Ansible peer\'s first run', playbook(), peerEnv);
    })(),
  ]);
  log(`streaming hosts converged in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (orbisFirst.status === 'rejected') {
    const reason = (orbisFirst.reason as Error).message;
    log(`the streaming Pi could not be provisioned: ${reason}`);
    failAll(STREAM_MEASURES, `${STREAM_HOST} not provisioned: ${reason.split('\n')[0]}`, false);
    if (withPeer) failAll(ANSIBLE_MEASURES, `no orbis Pi streaming to compare with (${STREAM_HOST} not provisioned)`, false);
    return info;
  }

  let peerReady = withPeer;
  if (withPeer) {
    try {
      if (peerFirst.status === 'rejected') throw peerFirst.reason;
      const peer = await labHost(options.labName, PEER_HOST);
      const stack = await readPeerStack(options.ansiblePeer);
      await installPeerStreamer(peer, stream, p.lab, stack.publishUrl);
      // Active for 5 s on end: a streamer that cannot stream fails at once and is restarted.
      const start = 'systemctl daemon-reload && systemctl reset-failed orbis.service; systemctl restart orbis.service && sleep 5 && systemctl is-active orbis.service && test "$(systemctl show -p NRestarts --value orbis.service)" = 0';
      const restarted = await sshRun(peer, start, { user: 'root' });
      if (restarted.exitCode !== 0) {
        const journal = await sshRun(peer, 'journalctl -u orbis.service -n 15 --no-pager -o cat', { user: 'root' });
        throw new Error(`the peer's streamer does not run (${restarted.stdout.trim()}): ${journal.stdout.trim().slice(-1500)}`);
      }
      const arrivals = await waitArriving(p.lab, [{ who: PEER_HOST, ...stack.keys }], 60_000);
      if (arrivals.length > 0) throw new Error(`the peer host does not stream: nothing arriving from ${arrivals.join(', ')}`);
    } catch (error) {
      peerReady = false;
      const reason = error instanceof Error ? error.message : String(error);
      log(`the Ansible peer could not be set up: ${reason}`);
      failAll(ANSIBLE_MEASURES, `the peer host not ready: ${reason.split('\n')[0]}`, false);
    }
  }

  const streams = [{ who: STREAM_HOST, ...BENCH_KEYS }, ...(peerReady ? [{ who: PEER_HOST, ...(await readPeerStack(options.ansiblePeer)).keys }] : [])];
  const streamingHosts = [stream, ...(peerReady ? [await labHost(options.labName, PEER_HOST)] : [])];
  info.notArriving = { before: await waitArriving(p.lab, streams, 60_000), after: [] };
  if (info.notArriving.before.length > 0) log(`not arriving at the stand-in platforms: ${info.notArriving.before.join(', ')}`);
  info.cpu = await hostsCpu(streamingHosts, 15);
  log(`streaming hosts' CPU over 15 s (cores): ${Object.entries(info.cpu).map(([h, c]) => `${h} ${c.toFixed(2)}`).join(', ')}`);

  const hot = { runs: options.runs, warmup: options.warmup };
  const [noop, check, withVerify] = STREAM_MEASURES as [(typeof STREAM_MEASURES)[number], (typeof STREAM_MEASURES)[number], (typeof STREAM_MEASURES)[number]];
  await p.measure({ ...noop, hosts: 1, argv: orbisArgv('provision', '--no-verify'), ...hot, kind: 'orbis', env: streamSettings() });
  await p.measure({ ...check, hosts: 1, argv: orbisArgv('check'), ...hot, kind: 'orbis', env: streamSettings() });
  await p.measure({ ...withVerify, hosts: 1, argv: orbisArgv('provision'), ...hot, kind: 'orbis', env: streamSettings() });
  if (peerReady) {
    const peerRuns = { runs: options.ansibleRuns, warmup: options.warmup };
    const [converge, peerCheck] = ANSIBLE_MEASURES as [(typeof ANSIBLE_MEASURES)[number], (typeof ANSIBLE_MEASURES)[number]];
    const env = ansibleEnv(options.ansiblePeer);
    await p.measure({ ...converge, hosts: 1, argv: playbook(), ...peerRuns, kind: 'ansible', recapHost: PEER_HOST, env });
    await p.measure({ ...peerCheck, hosts: 1, argv: playbook('--check'), ...peerRuns, kind: 'ansible', recapHost: PEER_HOST, env });
  }
  info.notArriving.after = await waitArriving(p.lab, streams, 30_000);
  if (info.notArriving.after.length > 0) log(`after the measures, not arriving at the stand-in platforms: ${info.notArriving.after.join(', ')}`);
  return info;
}

async function bench(options: BenchOptions): Promise<number> {
  if (process.getuid?.() !== 0) throw new BenchUsageError('the bench boots lab Pis (nspawn, netns, iptables): run it as root');
  const tool = availableTool();
  if (tool !== 'hyperfine') log('hyperfine not found (apt-get install hyperfine): timing with the bench\'s own loop instead');
  const gnuTime = hasGnuTime();
  if (!gnuTime) log('/usr/bin/time not found (apt-get install time): peak memory is not measured');
  const work = mkdtempSync(join(tmpdir(), 'orbis-bench-'));
  const loadBefore = loadavg();
  const pressureBefore = cpuPressureNow();
  const largest = Math.max(0, ...options.sizes);
  const started = Date.now();

  log(`lab "${options.labName}" (${options.reuseLab ? 'reused' : options.subnet}) with ${largest} host(s); work directory ${work}; orbis is ${CLI}`);
  let lab: LabState | undefined;
  try {
    const labStarted = Date.now();
    lab = options.reuseLab ? await loadLab(options.labName) : await labUp({ name: options.labName, subnet: options.subnet, hosts: largest, log: (m) => log(`lab: ${m}`) });
    const labUpSeconds = (Date.now() - labStarted) / 1000;
    const pis = hostsNamed(lab, 'pi').slice(0, largest);
    if (pis.length < largest) throw new BenchUsageError(`--reuse-lab: lab "${options.labName}" has ${pis.length} Pi(s) named piN, the largest size wants ${largest}`);
    await Promise.all(pis.map(idleStreamer));
    const env: NodeJS.ProcessEnv = { ...process.env, ...benchEnv(lab, BENCH_KEYS) };
    // The lab's known_hosts holds every host's key: strict, so that no run writes to it.
    const conn = ['--known-hosts', lab.knownHostsPath, '--host-key-policy', 'strict', '--conf', '/dev/null'];
    const noSshConfig = ['--ssh-config', '/dev/null'];
    const node = process.execPath;
    const ctx: Context = { options, tool, gnuTime, work, env };
    const results: MeasureResult[] = [];
    const failures: MeasureFailure[] = [];
    const fail = (f: MeasureFailure): void => {
      failures.push(f);
    };
    // A measure whose command fails is reported (its targets FAIL), and the bench goes on.
    const measure = async (m: Measure): Promise<MeasureResult | undefined> => {
      try {
        const result = await runMeasure(m, ctx);
        results.push(result);
        return result;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`${m.label} FAILED: ${reason}`);
        fail({ id: m.id, label: m.label, reason, skipped: false });
        return undefined;
      }
    };
    const hot = { runs: options.runs, warmup: options.warmup };
    let converged: { hosts: number; seconds: number } | undefined;

    await measure({ id: measureIds.help, label: 'orbis --help', hosts: 0, argv: [node, CLI, '--help'], ...hot, kind: 'plain' });

    if (largest > 0) {
      const inventories = new Map<number, string>();
      for (const size of options.sizes) inventories.set(size, await writeInventory(lab, pis.slice(0, size), join(work, `fleet-${size}.yaml`)));
      const convergeStarted = Date.now();
      await converge(inventories.get(largest) as string, [...noSshConfig, ...conn], env, largest);
      converged = { hosts: largest, seconds: (Date.now() - convergeStarted) / 1000 };
      const first = pis[0] as (typeof pis)[number];
      // The floors a command on one Pi stands on, on this machine as it is now: node starting with
      // nothing to run, and one OpenSSH connection running one command under sudo (what orbis's
      // probe does). A no-op run cannot be faster than their sum; how far above it is orbis's own.
      await measure({ id: measureIds.floorNode, label: "node -e '' (node's own start)", hosts: 0, argv: [node, '-e', ''], ...hot, kind: 'plain' });
      const floorConfig = join(work, 'floor.ssh_config');
      writeFileSync(floorConfig, sshConfigFor([first], lab.knownHostsPath));
      await measure({ id: measureIds.floorSsh, label: 'ssh HOST sudo -n true (one OpenSSH round trip)', hosts: 1, argv: ['ssh', '-F', floorConfig, first.name, 'sudo -n true'], ...hot, kind: 'plain' });
      await measure({
        id: measureIds.provisionNoop,
        label: 'provision --no-verify, no-op, 1 idle host',
        hosts: 1,
        argv: [node, CLI, 'provision', `pi@${first.address}`, '--key', first.keyPath, ...noSshConfig, '--no-verify', '--json', ...conn],
        ...hot,
        kind: 'orbis',
      });
      const sweepFrom = Math.min(...options.forks);
      for (const size of options.sizes) {
        const inventory = inventories.get(size) as string;
        const checkArgv = [node, CLI, 'check', '-i', inventory, ...noSshConfig, '--json', ...conn];
        await measure({ id: measureIds.check(size), label: `check, ${size} idle host(s)`, hosts: size, argv: checkArgv, ...hot, kind: 'orbis' });
        // --forks only matters past its smallest value: a fleet larger than that, with each.
        if (size > sweepFrom) {
          for (const forks of options.forks) {
            await measure({ id: measureIds.checkForks(size, forks), label: `check, ${size} idle hosts, --forks ${forks}`, hosts: size, argv: [...checkArgv, '--forks', String(forks)], ...hot, kind: 'orbis' });
          }
        }
        if (size > 1) {
          await measure({
            id: measureIds.applyNoop(size),
            label: `apply --no-verify, no-op, ${size} idle hosts`,
            hosts: size,
            argv: [node, CLI, 'apply', '-i', inventory, ...noSshConfig, '--no-verify', '--json', ...conn],
            ...hot,
            kind: 'orbis',
          });
        }
      }
    }

    for (const size of options.fresh) {
      const fresh = { runs: options.freshRuns, warmup: 0 };
      const prefix = `f${size}-`;
      const prepare = [node, FRESH, options.labName, prefix, String(size), work, '--idle-streamer'];
      // One host: `provision ALIAS`, as a user provisions a new Pi; more: `apply -i`.
      const argv =
        size === 1
          ? [node, CLI, 'provision', `${prefix}1`, '--ssh-config', join(work, `${prefix}.ssh_config`), '--no-verify', '--json', ...conn]
          : [node, CLI, 'apply', '-i', join(work, `${prefix}.yaml`), ...noSshConfig, '--no-verify', '--json', ...conn];
      const first = await measure({ id: measureIds.first(size), label: `first provision, ${size} fresh host(s)`, hosts: size, argv, prepare, ...fresh, kind: 'orbis' });

      const packages = first?.report?.packages ?? [];
      if (packages.length === 0) {
        fail({ id: measureIds.apt(size), label: `apt-get install, ${size} fresh host(s)`, reason: `the first provision of ${size} fresh host(s) ${first ? 'installed no package' : 'failed'}: no package list for the baseline`, skipped: false });
        continue;
      }
      const aptPrefix = `a${size}-`;
      const script = join(work, `apt-${size}.sh`);
      const aliases = Array.from({ length: size }, (_, i) => `${aptPrefix}${i + 1}`);
      writeFileSync(script, aptBaselineScript(aliases, join(work, `${aptPrefix}.ssh_config`), packages), { mode: 0o755 });
      await measure({
        id: measureIds.apt(size),
        label: `apt-get install (${packages.join(' ')}), ${size} fresh host(s)`,
        hosts: size,
        argv: ['/bin/bash', script],
        prepare: [node, FRESH, options.labName, aptPrefix, String(size), work],
        ...fresh,
        kind: 'plain',
      });
    }

    let streaming: StreamingInfo | undefined;
    if (options.streaming) streaming = await streamingPhase({ ctx, lab, env, conn, measure, fail });
    else {
      for (const m of [...STREAM_MEASURES, ...ANSIBLE_MEASURES]) fail({ ...m, reason: 'left out (--no-streaming)', skipped: true });
    }

    const targets = evaluateTargets(results, failures);
    const loadAfter = loadavg();
    const pressureAfter = cpuPressureNow();
    const load = [
      `load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after, on ${cpus().length} CPUs`,
      `CPU pressure (some task waiting for a CPU, % of the last 10/60/300 s) ${pressureBefore} before, ${pressureAfter} after`,
    ].join('\n');
    const lines = [
      `orbis bench (${tool}; ${options.runs} runs + ${options.warmup} warm-up per no-op measure, ${options.freshRuns} per first provision, ${options.ansibleRuns} per Ansible measure) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      load,
      `lab: ${largest} idle Pi(s) ${options.reuseLab ? 'reused (--reuse-lab)' : `up in ${labUpSeconds.toFixed(1)} s`}${converged ? `, converged in ${converged.seconds.toFixed(1)} s` : ''}`,
      ...(streaming?.cpu ? [`streaming hosts' CPU (whole host, 15 s, cores): ${Object.entries(streaming.cpu).map(([h, c]) => `${h} ${c.toFixed(2)}`).join(', ')}`] : []),
      ...(streaming?.ansible ? [`Ansible peer: ${streaming.ansible}, ${options.ansiblePeer}`] : []),
      ...(streaming?.notArriving && streaming.notArriving.before.length + streaming.notArriving.after.length > 0
        ? [`NOT STREAMING: before the measures ${streaming.notArriving.before.join(', ') || 'all arriving'}; after ${streaming.notArriving.after.join(', ') || 'all arriving'}`]
        : []),
      '',
      measuresTable(results),
      '',
      phasesTable(results),
      '',
      ...(failures.length > 0 ? [failuresTable(failures), ''] : []),
      ...[comparisonTable(results)].flatMap((t) => (t ? [t, ''] : [])),
      targetsTable(targets),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    if (options.jsonOut) {
      const data = { options, cli: CLI, tool, load: { before: loadBefore, after: loadAfter, cpus: cpus().length, cpuPressure: { before: pressureBefore, after: pressureAfter } }, lab: { labUpSeconds, converged }, streaming, results, failures, targets };
      writeFileSync(options.jsonOut, `${JSON.stringify(data, null, 2)}\n`);
    }
    const measureFailed = failures.some((f) => !f.skipped);
    return targets.some((t) => t.verdict === 'FAIL') || measureFailed ? 2 : 0;
  } finally {
    if (options.keepLab) log(`leaving lab "${options.labName}" up (--keep-lab); \`orbis lab down --name ${options.labName}\` removes it`);
    else await labDown({ name: options.labName, log: (m) => log(`lab: ${m}`) });
  }
}

const program = new Command()
  .name('npm run bench --')
  .description('time orbis against lab Pis, idle and streaming, beside the Ansible peer playbook, and judge the targets of issue #20 (needs root; not part of CI)')
  .option('--sizes <list>', `converged idle fleet sizes for check and no-op apply ($ORBIS_BENCH_SIZES, default ${DEFAULTS.sizes}; "none" skips; 50 for issue #20's largest)`)
  .option('--forks <list>', `--forks values check runs with on every fleet larger than the smallest ($ORBIS_BENCH_FORKS, default ${DEFAULTS.forks}; "none" skips)`)
  .option('--fresh <list>', `fresh fleet sizes for first provisions and the apt-get baseline ($ORBIS_BENCH_FRESH, default ${DEFAULTS.fresh}; "none" skips)`)
  .option('--runs <n>', `timed runs per no-op measure ($ORBIS_BENCH_RUNS, default ${DEFAULTS.runs})`)
  .option('--warmup <n>', `warm-up runs before them ($ORBIS_BENCH_WARMUP, default ${DEFAULTS.warmup})`)
  .option('--fresh-runs <n>', `timed runs per first provision, each on new hosts ($ORBIS_BENCH_FRESH_RUNS, default ${DEFAULTS.freshRuns})`)
  .option('--no-streaming', 'leave out the streaming Pi and the Ansible peer ($ORBIS_BENCH_STREAMING=0)')
  .option('--no-ansible', 'leave out the Ansible peer (its measures and ratios say n/a) ($ORBIS_BENCH_ANSIBLE=0)')
  .option('--ansible-peer <dir>', `the peer playbook's directory, used as it is ($ORBIS_BENCH_ANSIBLE_PEER, default ${defaultAnsiblePeer('<checkout>')})`)
  .option('--ansible-runs <n>', `timed runs per Ansible measure ($ORBIS_BENCH_ANSIBLE_RUNS, default ${DEFAULTS.ansibleRuns})`)
  .option('--lab-name <name>', `lab name ($ORBIS_BENCH_LAB_NAME, default ${DEFAULTS.labName})`)
  .option('--subnet <cidr>', `lab subnet ($ORBIS_BENCH_LAB_SUBNET, default ${DEFAULTS.subnet})`)
  .option('--keep-lab', 'leave the lab up afterwards ($ORBIS_BENCH_KEEP_LAB=1)')
  .option('--reuse-lab', 'use the lab as a --keep-lab run left it instead of booting one: its Pis converge again (a no-op where they are in sync) ($ORBIS_BENCH_REUSE_LAB=1)')
  .option('--json <file>', 'also write every result as JSON to this file ($ORBIS_BENCH_JSON)')
  .addHelpText(
    'after',
    `
Examples:
  sudo npm run bench
  sudo npm run bench -- --sizes 1,20,50                 # issue #20's 50-host target too
  sudo npm run bench -- --sizes 1,3 --fresh 1 --runs 5 --fresh-runs 1 --no-ansible

Exit codes: 0 every measured target met, 2 a target missed or a measured command failed,
1 the bench itself failed.`,
  )
  .action(async (raw) => {
    process.exitCode = await bench(resolveOptions(raw satisfies RawOptions, process.env, packageRoot()));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
