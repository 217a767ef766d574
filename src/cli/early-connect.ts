// Connections opened before the run proper (app/early-connections.ts), as the CLI's options say.
import { EarlyConnections } from '../app/early-connections.js';
import type { HostTarget } from '../app/request.js';
import type { CliRunOptions } from './run-and-report.js';
import { connectOptionsOf } from './options.js';

/**
 * Run `action` with connections to the first `limit` of `hosts` already under way, and close
 * whatever it did not use. Nothing starts early when a password is asked for (--ask-pass,
 * --ask-become-pass: the connection is made with it) or a new key is made first (--new-key).
 */
export async function withEarlyConnections<T>(
  hosts: readonly HostTarget[],
  options: CliRunOptions,
  limit: number,
  action: (early: EarlyConnections) => Promise<T>,
): Promise<T> {
  const asks = options.askBecomePass || options.askPass === true || options.newKey === true;
  const early = asks ? new EarlyConnections() : EarlyConnections.start(hosts, connectOptionsOf(options), limit);
  try {
    return await action(early);
  } finally {
    await early.closeAll();
  }
}
