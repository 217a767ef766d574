import type { Command } from '@commander-js/extra-typings';

// Placeholder until the lab lands (issue 2): registers `orbis lab` with its subcommands.
export function registerLabCommand(program: Command): void {
  program.command('lab').description('Disposable Pi-like hosts for trying orbis (systemd-nspawn)');
}
