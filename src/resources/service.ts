// systemd units: enabled or not, started or stopped, masked or not. Restarts after a config change
// are handlers' business (notify), not drift.
//
// A unit systemd does not know yet is normal in check mode on a fresh host: the package that ships
// it (`providedBy`) or the file resource that writes it comes earlier in the same plan. Then the
// unit is planned as a fresh, disabled and stopped one, with an assumption saying why (Chef's
// why-run; Ansible fails here, ansible#82048). Debian packages often enable and start their own
// service on install; enabling or starting it again is harmless.
//
// A unit nothing installs cannot be planned: a Change with `error`, never an exception, so the
// whole plan is still shown.
//
// Unit-file states that `systemctl enable/disable` cannot change (static, indirect, generated,
// transient, alias) count as in sync whatever `enabled` asks: planning an enable there would
// report "changed" on every run.
import { cannotPlan, changeOf, joinWords, unitFileCandidates } from './common.js';
import type { Action, DesiredService, PlanContext, PlanFn } from './types.js';
import type { HostFacts, UnitFact } from '../facts/types.js';

const ENABLED = new Set(['enabled', 'enabled-runtime']);
const NOT_TOGGLEABLE = new Set(['static', 'indirect', 'generated', 'transient', 'alias']);
const MASKED = new Set(['masked', 'masked-runtime']);
// `activating` includes a unit waiting to auto-restart: starting it again would not help.
const RUNNING = new Set(['active', 'activating', 'reloading']);

type Verb = Extract<Action, { op: 'systemctl' }>['verb'];

const FRESH_UNIT: UnitFact = { load: 'loaded', active: 'inactive', enabled: 'disabled' };

export const planService: PlanFn<DesiredService> = (desired, facts, context) => {
  const fact = facts.units[desired.unit];
  const known = fact !== undefined && fact.load !== 'not-found' && fact.load !== '';
  if (desired.masked === true && (desired.enabled === true || desired.state === 'started')) {
    return [cannotPlan(desired, `${desired.unit} cannot be masked and also enabled or started: choose one`)];
  }
  if (known) return planKnownUnit(desired, fact, [], []);

  // `systemctl mask` works on a unit that does not exist, and there is nothing to stop or disable.
  if (desired.masked === true) return planKnownUnit(desired, { load: 'not-found', active: 'inactive', enabled: '' }, [], []);
  if (desired.enabled !== true && desired.state !== 'started') return [];

  const source = futureSource(desired, facts, context);
  if ('error' in source) return [cannotPlan(desired, source.error)];
  return planKnownUnit(desired, FRESH_UNIT, source.before, [source.assumption], source.after);
};

function planKnownUnit(
  desired: DesiredService,
  fact: UnitFact,
  before: Action[],
  assumptions: string[],
  after = '',
): ReturnType<PlanFn<DesiredService>> {
  const verbs: Verb[] = [];
  const masked = fact.load === 'masked' || MASKED.has(fact.enabled);
  const running = RUNNING.has(fact.active);

  if (desired.masked === true) {
    if (running) verbs.push('stop');
    if (!masked) verbs.push('mask');
  } else {
    const wantsUnmasked = desired.masked === false || desired.enabled === true || desired.state === 'started';
    const unmask = masked && wantsUnmasked;
    if (unmask) verbs.push('unmask');
    // After unmask the unit's file state is whatever its [Install] says; `disabled` is the safe guess.
    const fileState = unmask ? 'disabled' : fact.enabled;
    const toggleable = !NOT_TOGGLEABLE.has(fileState);
    if (desired.enabled === true && toggleable && !ENABLED.has(fileState)) verbs.push('enable');
    if (desired.enabled === false && toggleable && ENABLED.has(fileState)) verbs.push('disable');
    if (desired.state === 'started' && !running) verbs.push('start');
    if (desired.state === 'stopped' && running) verbs.push('stop');
  }
  if (verbs.length === 0) return [];

  const actions: Action[] = [...before, ...verbs.map((verb) => ({ op: 'systemctl' as const, verb, unit: desired.unit }))];
  const words = [...(before.length > 0 ? ['reload systemd'] : []), ...verbs];
  return [changeOf(desired, `${joinWords(words)}${after}`, actions, { assumptions })];
}

interface FutureSource {
  /** Actions the unit needs first (a daemon-reload for a unit file systemd has not read). */
  before: Action[];
  assumption: string;
  /** Summary suffix, e.g. " after package nginx is installed". */
  after: string;
}

/** What will make an unknown unit exist by the time this step runs, or why nothing will. */
function futureSource(desired: DesiredService, facts: HostFacts, context: PlanContext): FutureSource | { error: string } {
  const { unit, providedBy } = desired;
  if (providedBy !== undefined && context.packagesToInstall.has(providedBy)) {
    return {
      before: [],
      assumption: `assumes package ${providedBy}, installed by an earlier step, ships ${unit}`,
      after: ` after package ${providedBy} is installed`,
    };
  }
  const candidates = unitFileCandidates(unit);
  const planned = candidates.find((path) => context.pathsToCreate.has(path));
  if (planned !== undefined) {
    return {
      before: [],
      assumption: `assumes ${planned}, written by an earlier step, defines ${unit}`,
      after: ` after ${planned} is written`,
    };
  }
  // The unit file is there but systemd has not read it (a run cut before its daemon-reload).
  const unread = candidates.find((path) => facts.paths[path]?.exists === true);
  if (unread !== undefined) {
    return {
      before: [{ op: 'daemon-reload' }],
      assumption: `assumes systemd loads ${unread} once reloaded (it does not know ${unit} yet)`,
      after: '',
    };
  }
  if (providedBy !== undefined && facts.packages[providedBy] !== undefined) {
    return {
      error: `unit ${unit} not found although package ${providedBy} ${facts.packages[providedBy]} is installed: check the unit name`,
    };
  }
  if (providedBy !== undefined) {
    return {
      error: `unit ${unit} not found, and package ${providedBy} that ships it is neither installed nor planned: add it to the role's packages before this service`,
    };
  }
  return {
    error: `unit ${unit} not found on the host and no earlier step installs it: set providedBy to the package that ships it, or add a file resource for the unit before this service`,
  };
}
