// The secrets layer's public API: the encrypted secrets file (age), references to secrets from
// the rest of the configuration, and the warning for stream keys left in clear in git.
export { openSecrets, loadSecrets, secretStoreFor, SecretsFile, type SecretsOptions, type OpenedSecrets, type NamedSecretStore } from './vault.js';
export { resolveSecretReference, type SecretReference, type ReferenceContext } from './reference.js';
export { clearKeyWarnings, type ClearKeyOptions } from './clear-keys.js';
export { readIdentity, createIdentity, type AskPassphrase, type LoadedIdentity } from './identity.js';
export { DEFAULT_SECRETS_FILE, IDENTITY_ENV, identityPath, defaultIdentityPath, recipientsPathFor } from './locations.js';
export { parseSecretsText, SECRET_NAME_RE, SECRET_NAME_RULE, type SecretEntry } from './document.js';
export { editSecrets, type EditOptions, type EditResult } from './edit.js';
export { addSecrets, type NewSecret } from './add.js';
export { initSecrets, encryptSecretsFile, decryptSecrets, listSecrets, rekeySecrets, type CommandOutput } from './commands.js';
export { putSecrets, type PutOptions } from './put.js';
export { addRecipient, type AddRecipientOptions } from './backup.js';
