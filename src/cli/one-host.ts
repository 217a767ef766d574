// For the commands that look at one host without a run (`orbis facts`, `orbis render`): the host
// (a target, or one inventory host), its settings as provision reads them, its render context,
// and a connection when one is needed. Settings errors stop before any connection.
import { renderContext } from '../roles/context.js';
import { TemplateRenderer } from '../render/templates.js';
import type { HostFacts } from '../facts/types.js';
import type { LoadedRole } from '../roles/load.js';
import { connect } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';
import { hostErrorOf } from '../report/result.js';
import { maskSecrets } from '../redact/secret.js';
import { formatIssue, requireKeysFor, type LoadedSettings } from '../config/index.js';
import { ORBIS_VERSION } from '../version.js';
import { buildRequest, type CliRunOptions } from './run-and-report.js';
import { prepare, secretValuesOf } from '../app/prepare.js';
import type { HostTarget, RunRequest } from '../app/request.js';
import { hostsFor, type TargetOptions } from './targets.js';

export interface OneHost {
  host: HostTarget;
  request: RunRequest;
  loaded: LoadedSettings;
  roles: LoadedRole[];
  renderer: TemplateRenderer;
  contextFor: (facts: HostFacts | null) => Record<string, unknown>;
  /** Every stream key of this host's settings: masked in anything printed. */
  secrets: string[];
  /** Stream keys provision would ask for and that are empty, as messages (render warns). */
  missingKeys: string[];
}

export async function oneHost(command: string, target: string | undefined, options: CliRunOptions & TargetOptions): Promise<OneHost> {
  const hosts = await hostsFor(target === undefined ? [] : [target], options);
  if (hosts.length !== 1) {
    throw new Error(`${command} reads one host, and ${hosts.length} were selected (${hosts.map((h) => h.name).join(', ')}); pick one with --limit NAME`);
  }
  const host = hosts[0] as HostTarget;
  // Check mode: stream keys are not required to look (render says which ones provision would want).
  const request = await buildRequest({ command, mode: 'check', checkStatus: 'drift', hosts, options });
  const prepared = prepare({ ...request, keysOptional: true });
  const loaded = prepared.settingsFor(host);
  return {
    host,
    request,
    loaded,
    roles: prepared.roles,
    renderer: new TemplateRenderer(),
    contextFor: (facts) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION),
    secrets: secretValuesOf(loaded),
    missingKeys: prepared.roles.some((r) => r.spec.name === 'nginx-rtmp') ? requireKeysFor(loaded.settings, loaded.origins, loaded.platforms).map(formatIssue) : [],
  };
}

/** Connect to the host, run `use`, close. Errors say what and what to do, keys masked. */
export async function withConnection<T>(one: OneHost, use: (transport: Transport) => Promise<T>): Promise<T> {
  let transport: Transport | undefined;
  try {
    transport = await connect(one.host.target, { ...one.host.connect, ...one.request.connect, name: one.host.name });
    return await use(transport);
  } catch (error) {
    const { message, hint } = hostErrorOf(error);
    const text = maskSecrets(message, one.secrets);
    throw new Error(`${one.host.name}: ${text.startsWith(`${one.host.name}: `) ? text.slice(one.host.name.length + 2) : text}${hint && !text.includes(hint) ? ` (hint: ${hint})` : ''}`);
  } finally {
    await transport?.close();
  }
}
