// The lab's public surface. See lab.ts for the lifecycle and state.ts for the state file.
export { labUp, labDown, labStatus, labsUp, labArches, addHost, removeHost, describeLeftovers, type LabUp } from './lab.js';
export type { LabUpOptions, AddHostOptions, LabStatus, HostStatusLine, Log } from './lab.js';
export { btfsReleaseOf, loadLab } from './state.js';
export type { LabState, LabHost, BtfsRelease, BtfsContent } from './state.js';
export { labLayout, resolveLabName, DEFAULT_LAB_NAME, DEFAULT_LAB_SUBNET } from './config.js';
export type { LabArch } from './config.js';
export { labInventory } from './inventory.js';
export { sshArgs, sshRun } from './ssh.js';
export { findLeftovers, isClean } from './teardown.js';
export type { Leftovers } from './teardown.js';
export { LabError, LabCommandError } from './exec.js';
export { forwardRules } from './firewall.js';
