// The commands about a Pi's live stream: `orbis status` and `orbis reconnect`.
import type { Command } from '@commander-js/extra-typings';
import { registerReconnectCommand } from './reconnect.js';
import { registerStatusCommand } from './status.js';

export function registerLiveCommands(program: Command): void {
  registerStatusCommand(program);
  registerReconnectCommand(program);
}
