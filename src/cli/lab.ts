import { Option, type Command } from '@commander-js/extra-typings';

// `orbis lab up|status|down`: disposable Raspberry-Pi-like hosts and a stand-in internet.
// The lab's modules (and their dependencies) load only when a lab command runs.

const ENVIRONMENT_HELP = `
Environment:
  ORBIS_LAB_NAME     lab name (default "orbis"); names derive the bridge, netns and chains
  ORBIS_LAB_SUBNET   lab subnet (default 10.213.0.0/24): .1 this machine, .2 the ingest, Pis from .10
  ORBIS_LAB_DIR      where running labs keep state, keys and hosts (default /var/lib/orbis-lab)
  ORBIS_LAB_CACHE    where base root filesystems and artefacts are cached (default /var/cache/orbis-lab)
  ORBIS_LAB_MIRROR   Debian archive URI (default: the one in this machine's apt sources)

Needs root and the Debian packages debootstrap, systemd-container, iptables, openssl, ffmpeg
and gcc; for hosts of another architecture than this machine's (--arch arm64 on amd64) also
its cross-compiler (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross), qemu-user-static and
binfmt-support. \`orbis demo\` installs what its lab needs.`;

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`--hosts expects a whole number, not "${value}"`);
  return n;
}

function stderrLog(message: string): void {
  process.stderr.write(`lab: ${message}\n`);
}

export function registerLabCommand(program: Command): void {
  const lab = program
    .command('lab')
    .description('Disposable Raspberry-Pi-like hosts (systemd-nspawn) and a stand-in internet, to try orbis on')
    .addHelpText(
      'after',
      `
Each host runs Debian bookworm with real systemd, sshd and apt in its own network namespace,
reachable over SSH as pi (passwordless sudo) and root with the lab's key. The ingest host plays
DLive (rtmp://stream.dlive.tv/live), Kick (TLS on 443, lab CA) and the BTFS release/content
server. Outbound traffic is limited to the Debian mirror.
${ENVIRONMENT_HELP}
Examples:
  sudo orbis lab up --hosts 1 > inventory/lab.yaml
  sudo orbis lab status
  sudo orbis lab down`,
    );

  lab
    .command('up')
    .description('Start the lab (replacing a previous one of the same name) and print an inventory for its hosts')
    .option('--hosts <n>', 'Pi-like hosts to start besides the ingest', parseCount, 0)
    .addOption(new Option('--arch <arch>', 'architecture of those hosts (arm64 runs under qemu: slower)').choices(['amd64', 'arm64'] as const).default('amd64' as const))
    .option('--password', 'those hosts are like a fresh Pi: pi logs in with a password only (in the host\'s password file, see the inventory), no key', false)
    .option('--name <name>', 'lab name (default: $ORBIS_LAB_NAME or "orbis")')
    .option('--subnet <cidr>', 'lab subnet (default: $ORBIS_LAB_SUBNET or 10.213.0.0/24)')
    .addHelpText(
      'after',
      `
The inventory (YAML) goes to stdout, progress to stderr. The first run builds and caches the base
root filesystem (about a minute; several for arm64).
${ENVIRONMENT_HELP}
Examples:
  sudo orbis lab up --hosts 3 > inventory/lab.yaml
  sudo orbis lab up --name mine --subnet 10.213.7.0/24 --hosts 1 --arch arm64
  sudo orbis lab up --hosts 1 --password   # a fresh Pi: orbis provision pi@ADDRESS --ask-pass < PASSWORD_FILE`,
    )
    .action(async (options) => {
      const { labUp, labInventory } = await import('../lab/index.js');
      const started = Date.now();
      const state = await labUp({
        name: options.name,
        subnet: options.subnet,
        hosts: options.hosts,
        arch: options.arch,
        password: options.password,
        log: stderrLog,
      });
      stderrLog(`lab "${state.name}" is up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stdout.write(labInventory(state));
    });

  lab
    .command('status')
    .description('List the lab\'s hosts: name, role, address, architecture and live state (when it is not up, the labs that are)')
    .option('--name <name>', 'lab name (default: $ORBIS_LAB_NAME or "orbis")')
    .option('--json', 'print the status as JSON on stdout')
    .addHelpText(
      'after',
      `
States: running or degraded (booted; degraded = some unit failed), starting, unreachable
(SSH does not answer), stopped (its container is not running), failed.
Exit code: 0 when the lab is up and every host is running or degraded, 1 otherwise.

Examples:
  sudo orbis lab status
  sudo orbis lab status --name mine --json`,
    )
    .action(async (options) => {
      const { labStatus, labsUp, describeLeftovers } = await import('../lab/index.js');
      const status = await labStatus({ name: options.name });
      const healthy = status.up && status.hosts.every((h) => h.state === 'running' || h.state === 'degraded');
      if (options.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else if (!status.up) {
        process.stdout.write(`lab "${status.name}" is not up\n`);
        if (status.leftovers) process.stdout.write(`leftovers of an earlier run (\`orbis lab down\` removes them):\n${describeLeftovers(status.leftovers)}\n`);
        process.stdout.write(othersUp(await labsUp(), status.name));
      } else {
        process.stdout.write(`lab "${status.name}" (${status.subnet})\n`);
        const rows = [['NAME', 'ROLE', 'ADDRESS', 'ARCH', 'STATE'], ...status.hosts.map((h) => [h.name, h.role, h.address, h.arch, h.state])];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
      }
      if (!healthy) process.exitCode = 1;
    });

  lab
    .command('down')
    .description('Stop and remove the lab: containers, mounts, namespaces, bridge and iptables rules, also leftovers of a killed run')
    .option('--name <name>', 'lab name (default: $ORBIS_LAB_NAME or "orbis")')
    .addHelpText('after', '\nCaches (base root filesystems, downloaded packages) are kept for the next `lab up`.\n\nExamples:\n  sudo orbis lab down\n  sudo orbis lab down --name mine')
    .action(async (options) => {
      const { labDown, labsUp } = await import('../lab/index.js');
      const { resolveLabName } = await import('../lab/config.js');
      const started = Date.now();
      const name = resolveLabName(options.name);
      const before = await labsUp();
      await labDown({ name: options.name, log: stderrLog });
      stderrLog(`lab down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // Asked for a lab that was not up while others are: say which (the demo's is orbis-demo).
      if (!before.some((l) => l.name === name)) process.stderr.write(othersUp(before, name));
    });
}

/** The labs up on this machine other than `name`, and how to reach one ('' when there are none). */
export function othersUp(labs: readonly { name: string; subnet: string; pis: number }[], name: string): string {
  const others = labs.filter((l) => l.name !== name);
  if (others.length === 0) return '';
  const list = others.map((l) => `  ${l.name} (${l.subnet}, ${l.pis} Pi${l.pis === 1 ? '' : 's'})`).join('\n');
  return `labs up on this machine:\n${list}\nname one with --name, e.g. \`orbis lab status --name ${others[0]?.name}\`\n`;
}
