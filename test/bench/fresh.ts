// `node dist/test/bench/fresh.js LAB PREFIX COUNT DIR [--idle-streamer]`: the prepare step of a
// first-provision measure (hyperfine --prepare runs it before every timed run): new hosts
// PREFIX1..PREFIXn replace the previous ones, and DIR/PREFIX.yaml and DIR/PREFIX.ssh_config
// name them (see replaceFreshHosts).
import { replaceFreshHosts } from './fleet.js';

async function main(argv: string[]): Promise<void> {
  const [lab, prefix, count, dir] = argv;
  if (!lab || !prefix || !count || !dir || !/^\d+$/.test(count)) {
    throw new Error('usage: fresh.js LAB PREFIX COUNT DIR [--idle-streamer]');
  }
  await replaceFreshHosts(lab, prefix, Number(count), dir, argv.includes('--idle-streamer'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench fresh hosts: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
