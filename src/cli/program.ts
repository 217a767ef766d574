// The command line program (main.ts runs it). Subcommands are loaded lazily (dynamic import
// inside each action) so that `orbis --help` and a no-op provision do not pay for modules they do
// not use; in the bundle each of those imports is a chunk of its own, loaded the same way.
import { Command } from '@commander-js/extra-typings';
import { registerLabCommand } from './lab.js';
import { registerProvisionCommand } from './provision.js';
import { registerCheckCommand } from './check.js';
import { registerApplyCommand } from './apply.js';
import { registerInventoryCommand } from './inventory.js';
import { registerVerifyCommand } from './verify.js';
import { registerSecretsCommand } from './secrets.js';
import { registerFactsCommand } from './facts.js';
import { registerRenderCommand } from './render.js';
import { registerDemoCommand } from './demo.js';
import { registerInitCommand } from './init.js';
import { registerImportCommand } from './import.js';
import { registerRollbackCommand } from './rollback.js';
import { registerLiveCommands } from './live.js';
import { registerBtfsCommand } from './btfs.js';
import { exitCodeFor } from './exit.js';
import { ORBIS_VERSION } from '../version.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('orbis')
    .description('Provision and keep right Raspberry Pis streaming to DLive (RTMP) and Kick (RTMPS)')
    .version(ORBIS_VERSION)
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Settings come from conf/orbis.conf (see docs/configuration.md), an inventory (-i), ORBIS_<NAME>
variables and --var. \`orbis <command> --help\` says more. NO_COLOR=1 turns colours off.

Examples:
  orbis init
  orbis provision pi@raspberrypi.local
  orbis check -i inventory/fleet.yaml --diff
  orbis verify pi@raspberrypi.local
  orbis render pi@raspberrypi.local --out /tmp/pi`,
    );
  registerInitCommand(program);
  registerProvisionCommand(program);
  registerApplyCommand(program);
  registerCheckCommand(program);
  registerInventoryCommand(program);
  registerVerifyCommand(program);
  registerSecretsCommand(program);
  registerFactsCommand(program);
  registerRenderCommand(program);
  registerImportCommand(program);
  registerRollbackCommand(program);
  registerLiveCommands(program);
  registerBtfsCommand(program);
  registerLabCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    process.stderr.write(`orbis: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
