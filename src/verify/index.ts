// The verify step's public API: build the input from the settings, run it on an open transport.
//
//   const input = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, facts).encoder });
//   const results = await verifyHost(transport, input, { retryTimeoutSec: 60, minSpeed: 1.2, seconds: 10 });
//   // results -> HostReport.verify; any status 'fail' makes the run fail (exit 1).
export { verifyHost } from './run.js';
export { verifyHosts, verifyOneHost, type VerifyHostsRequest, type VerifyTarget } from './hosts.js';
export { verifyInputFrom, STACK_UNITS, STREAMER_USER, type VerifyInputOptions } from './input.js';
export { formatVerifyTable } from './format.js';
export { redact, redactPushTargets } from '../redact/push-targets.js';
export { CHECK, type CheckName } from './checks/outcome.js';
export { DEFAULT_VERIFY_OPTIONS, type VerifyInput, type VerifyOptions, type VerifyResult, type VerifyStatus } from './types.js';

import type { VerifyResult } from './types.js';

/** A host's verify failed when any check failed (warnings do not fail it). */
export function verifyFailed(results: readonly VerifyResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}
