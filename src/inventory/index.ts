// The inventory's public API: load (validated, positions kept), select hosts (--limit), resolve a
// host into its settings layers and connection target.
export { loadInventory, type InventoryLoadOptions } from './load.js';
export { resolveHost, resolveHosts, hostTarget, groupGraph, type ResolvedHost, type InventoryLayer, type HostConnection, type HostConnectOptions, type InventoryHostTarget, type FromScope } from './resolve.js';
export { type ReferenceOptions, type SecretStore } from './references.js';
export { limitHosts, universeOf } from './select.js';
export { selectHosts, parsePattern, parseRetryFile, retryFileText, globMatcher, type HostUniverse, type PatternTerm, type PatternOp, type SelectOptions } from './patterns.js';
export { ALL_GROUP, NAME_RE } from './names.js';
export type { Inventory, InventoryHost, InventoryGroup, Scope, VarEntry, VarValue, Located, ConnectionFields } from './types.js';
