// `npm run bench` (issue #9; not part of CI or `npm test`): boots lab Pis, converges them once
// with the streamer idle (see fleet.ts), then times the compiled CLI against them with hyperfine
// and prints medians and spread, round trips and SSH connections per host (from `--json`), the
// controller's peak memory (GNU time), where the time went (hosts[].phasesMs) and a verdict per
// target of the issue. Needs root (the lab). Tears the lab down unless --keep-lab.
import { Command } from '@commander-js/extra-typings';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { APT_OPTIONS, call } from '../../src/engine/apply-script.js';
import { composeScript } from '../../src/pi/scripts.js';
import { labDown, labUp, type LabState } from '../../src/lab/index.js';
import type { RunReport } from '../../src/report/result.js';
import { packageRoot } from '../../src/util/paths.js';
import { shCommand, shq } from '../../src/util/shell.js';
import { orbis } from '../e2e/helpers/orbis.js';
import { stackEnv } from '../e2e/helpers/stack.js';
import { hostsNamed, idleStreamer, writeInventory } from './fleet.js';
import { measuresTable, phasesTable, targetsTable } from './format.js';
import { BenchUsageError, DEFAULTS, resolveOptions, type BenchOptions, type RawOptions } from './options.js';
import { digestReport, measureIds, peakRssOf, type MeasureResult } from './results.js';
import { availableTool, hasGnuTime, timeRuns, type Tool } from './runner.js';
import { summarize } from './stats.js';
import { evaluateTargets } from './targets.js';

const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const FRESH = join(packageRoot(), 'dist', 'test', 'bench', 'fresh.js');
/** Stand-in stream keys: the lab's ingest records whatever it gets; nothing streams anyway. */
const BENCH_KEYS = { dlive: 'bench_dlive_key', kick: 'bench_kick_sk_key' };

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** One thing to time: an orbis command (or the apt-get baseline) and what to keep of it. */
interface Measure {
  id: string;
  label: string;
  hosts: number;
  argv: string[];
  prepare?: string[];
  runs: number;
  warmup: number;
  /** An orbis command with --json: keep its last report and its peak memory. */
  orbisReport: boolean;
}

interface Context {
  options: BenchOptions;
  tool: Tool;
  gnuTime: boolean;
  work: string;
  env: NodeJS.ProcessEnv;
}

async function runMeasure(m: Measure, ctx: Context): Promise<MeasureResult> {
  log(`measuring ${m.label}: ${m.warmup} warm-up + ${m.runs} run(s)`);
  const outputFile = m.orbisReport ? join(ctx.work, `${m.id}.json`) : undefined;
  const rssFile = m.orbisReport && ctx.gnuTime ? join(ctx.work, `${m.id}.rss`) : undefined;
  if (rssFile) writeFileSync(rssFile, '');
  const times = await timeRuns(
    { name: m.id, argv: m.argv, ...(m.prepare ? { prepare: m.prepare } : {}), runs: m.runs, warmup: m.warmup, ...(outputFile ? { outputFile } : {}), ...(rssFile ? { rssFile } : {}), env: ctx.env },
    ctx.tool,
    ctx.work,
  );
  const result: MeasureResult = { id: m.id, label: m.label, hosts: m.hosts, tool: ctx.tool, seconds: summarize(times), lastSeconds: times[times.length - 1] ?? Number.NaN };
  if (rssFile) {
    const peak = peakRssOf(readFileSync(rssFile, 'utf8'));
    if (peak !== undefined) result.peakRssKiB = peak;
  }
  if (outputFile) result.report = digestReport(JSON.parse(readFileSync(outputFile, 'utf8')) as RunReport);
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
  const applied = await orbis(['apply', '-i', inventory, '--no-verify', '--json', ...conn], { env: env as Record<string, string> });
  if (applied.code !== 0) throw new Error(`the first converge failed (exit ${applied.code}):\n${applied.stderr.slice(-3000)}`);
  log(`converged in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // A no-op bench on hosts that are not in sync would time changes, not a no-op.
  const check = await orbis(['check', '-i', inventory, '--json', ...conn], { env: env as Record<string, string> });
  if (check.code !== 0) throw new Error(`after converging, check exits ${check.code} instead of 0 (in sync):\n${check.stdout.slice(-3000)}${check.stderr.slice(-2000)}`);
}

async function bench(options: BenchOptions): Promise<number> {
  if (process.getuid?.() !== 0) throw new BenchUsageError('the bench boots lab Pis (nspawn, netns, iptables): run it as root');
  const tool = availableTool();
  if (tool !== 'hyperfine') log('hyperfine not found (apt-get install hyperfine): timing with the bench\'s own loop instead');
  const gnuTime = hasGnuTime();
  if (!gnuTime) log('/usr/bin/time not found (apt-get install time): peak memory is not measured');
  const work = mkdtempSync(join(tmpdir(), 'orbis-bench-'));
  const loadBefore = loadavg();
  const largest = Math.max(0, ...options.sizes);
  const started = Date.now();

  log(`lab "${options.labName}" (${options.subnet}) with ${largest} host(s); work directory ${work}`);
  let lab: LabState | undefined;
  try {
    lab = await labUp({ name: options.labName, subnet: options.subnet, hosts: largest, log: (m) => log(`lab: ${m}`) });
    const pis = hostsNamed(lab, 'pi');
    await Promise.all(pis.map(idleStreamer));
    const env: NodeJS.ProcessEnv = { ...process.env, ...stackEnv(lab, BENCH_KEYS) };
    // The lab's known_hosts holds every host's key: strict, so that no run writes to it.
    const conn = ['--known-hosts', lab.knownHostsPath, '--host-key-policy', 'strict', '--conf', '/dev/null'];
    const noSshConfig = ['--ssh-config', '/dev/null'];
    const node = process.execPath;
    const ctx: Context = { options, tool, gnuTime, work, env };
    const results: MeasureResult[] = [];
    const measure = async (m: Measure): Promise<MeasureResult> => {
      const result = await runMeasure(m, ctx);
      results.push(result);
      return result;
    };
    const hot = { runs: options.runs, warmup: options.warmup };

    await measure({ id: measureIds.help, label: 'orbis --help', hosts: 0, argv: [node, CLI, '--help'], ...hot, orbisReport: false });

    if (largest > 0) {
      const inventories = new Map<number, string>();
      for (const size of options.sizes) inventories.set(size, await writeInventory(lab, pis.slice(0, size), join(work, `fleet-${size}.yaml`)));
      await converge(inventories.get(largest) as string, [...noSshConfig, ...conn], env, largest);
      const first = pis[0] as (typeof pis)[number];
      await measure({
        id: measureIds.provisionNoop,
        label: 'provision --no-verify, no-op, 1 host',
        hosts: 1,
        argv: [node, CLI, 'provision', `pi@${first.address}`, '--key', first.keyPath, ...noSshConfig, '--no-verify', '--json', ...conn],
        ...hot,
        orbisReport: true,
      });
      for (const size of options.sizes) {
        const inventory = inventories.get(size) as string;
        await measure({ id: measureIds.check(size), label: `check, ${size} host(s)`, hosts: size, argv: [node, CLI, 'check', '-i', inventory, ...noSshConfig, '--json', ...conn], ...hot, orbisReport: true });
        if (size > 1) {
          await measure({
            id: measureIds.applyNoop(size),
            label: `apply --no-verify, no-op, ${size} hosts`,
            hosts: size,
            argv: [node, CLI, 'apply', '-i', inventory, ...noSshConfig, '--no-verify', '--json', ...conn],
            ...hot,
            orbisReport: true,
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
      const first = await measure({ id: measureIds.first(size), label: `first provision, ${size} fresh host(s)`, hosts: size, argv, prepare, ...fresh, orbisReport: true });

      const packages = first.report?.packages ?? [];
      if (packages.length === 0) throw new Error(`the first provision of ${size} fresh host(s) installed no package: no apt-get baseline to compare with`);
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
        orbisReport: false,
      });
    }

    const targets = evaluateTargets(results);
    const loadAfter = loadavg();
    const load = `load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after, on ${cpus().length} CPUs`;
    const out = [
      `orbis bench (${tool}; ${options.runs} runs + ${options.warmup} warm-up per no-op measure, ${options.freshRuns} per first provision) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      load,
      '',
      measuresTable(results),
      '',
      phasesTable(results),
      '',
      targetsTable(targets),
      '',
    ].join('\n');
    process.stdout.write(out);
    if (options.jsonOut) writeFileSync(options.jsonOut, `${JSON.stringify({ options, tool, load: { before: loadBefore, after: loadAfter, cpus: cpus().length }, results, targets }, null, 2)}\n`);
    return targets.some((t) => t.verdict === 'FAIL') ? 2 : 0;
  } finally {
    if (options.keepLab) log(`leaving lab "${options.labName}" up (--keep-lab); \`orbis lab down --name ${options.labName}\` removes it`);
    else await labDown({ name: options.labName, log: (m) => log(`lab: ${m}`) });
  }
}

const program = new Command()
  .name('npm run bench --')
  .description('time orbis against lab Pis and judge the targets of issue #9 (needs root; not part of CI)')
  .option('--sizes <list>', `converged fleet sizes for check and no-op apply ($ORBIS_BENCH_SIZES, default ${DEFAULTS.sizes}; "none" skips)`)
  .option('--fresh <list>', `fresh fleet sizes for first provisions and the apt-get baseline ($ORBIS_BENCH_FRESH, default ${DEFAULTS.fresh}; "none" skips)`)
  .option('--runs <n>', `timed runs per no-op measure ($ORBIS_BENCH_RUNS, default ${DEFAULTS.runs})`)
  .option('--warmup <n>', `warm-up runs before them ($ORBIS_BENCH_WARMUP, default ${DEFAULTS.warmup})`)
  .option('--fresh-runs <n>', `timed runs per first provision, each on new hosts ($ORBIS_BENCH_FRESH_RUNS, default ${DEFAULTS.freshRuns})`)
  .option('--lab-name <name>', `lab name ($ORBIS_BENCH_LAB_NAME, default ${DEFAULTS.labName})`)
  .option('--subnet <cidr>', `lab subnet ($ORBIS_BENCH_LAB_SUBNET, default ${DEFAULTS.subnet})`)
  .option('--keep-lab', 'leave the lab up afterwards ($ORBIS_BENCH_KEEP_LAB=1)')
  .option('--json <file>', 'also write every result as JSON to this file ($ORBIS_BENCH_JSON)')
  .addHelpText(
    'after',
    `
Examples:
  sudo npm run bench
  sudo npm run bench -- --sizes 1,3 --fresh 1 --runs 5 --fresh-runs 1

Exit codes: 0 every measured target met, 2 a target missed, 1 the bench itself failed.`,
  )
  .action(async (raw) => {
    process.exitCode = await bench(resolveOptions(raw satisfies RawOptions, process.env));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
