// What the rest of orbis uses from the transport: connect, the Transport contract, the typed
// errors the CLI maps to host statuses, and the checked-exec helpers.
export type { ExecOptions, ExecResult, Transport } from './types.js';
export { connect, connectResolved, SshTransport, type SshConnectOptions } from './ssh.js';
export { parseTarget, resolveTarget, TargetError, type ResolveOptions, type ResolvedTarget, type TargetSpec } from './ssh-config.js';
export { HOST_KEY_POLICIES, type HostKeyPolicy, type RecordedHostKey } from './host-key-policy.js';
export { fingerprintOf } from './host-key.js';
export type { LoginMethod } from './identity.js';
export { assertSucceeded, execChecked, type CheckOptions } from './checked.js';
export {
  BecomeError,
  ChannelError,
  ConnectionLostError,
  HostKeyChangedError,
  HostKeyError,
  HostKeyRevokedError,
  HostKeyUnknownError,
  isAuthFailure,
  RemoteCommandError,
  TransportError,
  UnreachableError,
  summarizeCommand,
  type BecomeFailure,
  type UnreachableReason,
} from './errors.js';
