#!/usr/bin/env node
// `node scripts/startup-times.mjs [--runs N]`, after `npm run build`: how long the CLI takes to
// start, as a person feels it (docs/BENCHMARKS.md, "CLI start-up"). Each build of the CLI that
// `npm run build` leaves runs the same commands: tsc's output as it was before the bundle (the
// program loaded file by file), the bundle with node's own source maps (what main.ts does
// instead: src/cli/source-maps.ts), the bundle as built, and with node's compile cache (node >=
// 22.1 only). The commands: `node -e ''` (node's own start),
// `--version`, `--help`, `check --help`, and `check pi@127.0.0.1:1 --connect-timeout 1` (a real
// command up to its first progress line; nothing listens on port 1). For each, the time to the
// first byte of output and to exit, the runs of every build and command interleaved so that the
// machine's load weighs on each alike: medians and minimums in ms.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const runs = args[0] === '--runs' ? Number(args[1]) : 20;
const cli = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'src', 'cli');
const chunk = /import\("(\.\/chunks\/program-[^"]+)"\)/.exec(readFileSync(join(cli, 'main.js'), 'utf8'))?.[1];
if (chunk === undefined) throw new Error(`${join(cli, 'main.js')} is not the bundle: run npm run build first`);

const work = mkdtempSync(join(tmpdir(), 'orbis-startup-'));
// The other builds are entries beside main.js (they import its chunks, or tsc's program.js).
const run = (program) => `const { main } = await import(${JSON.stringify(program)});\nawait main();\n`;
const builds = [
  { name: 'tsc output', entry: run('./program.js') },
  { name: "bundle, node's source maps", entry: `process.setSourceMapsEnabled(true);\n${run(chunk)}` },
  { name: 'bundle', file: join(cli, 'main.js') },
];
if ('enableCompileCache' in nodeModule) {
  // The bundle without main.js's stack mapping (it costs nothing until a stack is shown).
  const entry = `import { enableCompileCache } from 'node:module';\nenableCompileCache(${JSON.stringify(join(work, 'compile-cache'))});\n${run(chunk)}`;
  builds.push({ name: 'bundle + compile cache', entry });
}
for (const [i, b] of builds.entries()) {
  if (b.entry === undefined) continue;
  b.file = join(cli, `.startup-times-${process.pid}-${i}.js`);
  writeFileSync(b.file, b.entry);
}

// `check` needs settings that pass (stream keys given by environment, as a user would) before it connects.
mkdirSync(join(work, 'conf'));
writeFileSync(join(work, 'conf', 'orbis.conf'), `BTFS_SHA256_ARM64=${'0'.repeat(64)}\n`, { mode: 0o600 });
const env = { ...process.env, ORBIS_DLIVE_CLE_FLUX: 'startup-times-key', ORBIS_KICK_CLE_FLUX: 'sk_us-west-2_startuptimeskey', NO_COLOR: '1' };

const commands = [
  ['--version'],
  ['--help'],
  ['check', '--help'],
  ['check', 'pi@127.0.0.1:1', '--connect-timeout', '1'],
];
const cases = [
  { command: "node -e ''", build: '-', argv: ['-e', ''] },
  ...commands.flatMap((c) => builds.map((b) => ({ command: c.join(' ').replace('pi@127.0.0.1:1 --connect-timeout 1', '127.0.0.1:1'), build: b.name, argv: [b.file, ...c] }))),
];

function once(argv) {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    const child = spawn(process.execPath, argv, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first;
    const onData = () => (first ??= ms());
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', fail);
    child.on('close', () => done({ first: first ?? ms(), exit: ms() }));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const results = new Map(cases.map((k) => [k, []]));
  for (const k of cases) await once(k.argv); // warm-up: the file system's cache, the compile cache
  for (let i = 0; i < runs; i += 1) for (const k of cases) results.get(k).push(await once(k.argv));

  const rows = [['COMMAND', 'BUILD', 'FIRST LINE ms, median (min)', 'EXIT ms, median (min)']];
  const cell = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)})`;
  for (const [k, rs] of results) rows.push([k.command, k.build, cell(rs.map((r) => r.first)), cell(rs.map((r) => r.exit))]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`${runs} runs each, interleaved, after one warm-up; node ${process.version}`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
} finally {
  for (const b of builds) if (b.entry !== undefined) rmSync(b.file, { force: true });
  rmSync(work, { recursive: true, force: true });
}
