#!/usr/bin/env node
// Entry point. Subcommands are loaded lazily (dynamic import inside each action) so that
// `orbis --help` and a no-op provision do not pay for modules they do not use.
import { Command } from '@commander-js/extra-typings';
import { registerLabCommand } from './lab.js';
import { registerProvisionCommand } from './provision.js';
import { registerCheckCommand } from './check.js';
import { registerApplyCommand } from './apply.js';
import { registerInventoryCommand } from './inventory.js';
import { registerVerifyCommand } from './verify.js';
import { registerSecretsCommand } from './secrets.js';
import { registerLiveCommands } from './live.js';
import { exitCodeFor } from './exit.js';
import { ORBIS_VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('orbis')
    .description('Provision and keep right Raspberry Pis streaming to DLive (RTMP) and Kick (RTMPS)')
    .version(ORBIS_VERSION)
    .showHelpAfterError();
  registerProvisionCommand(program);
  registerApplyCommand(program);
  registerCheckCommand(program);
  registerInventoryCommand(program);
  registerVerifyCommand(program);
  registerSecretsCommand(program);
  registerLiveCommands(program);
  registerLabCommand(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`orbis: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

void main();
