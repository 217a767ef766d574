import { describe, expect, it } from 'vitest';
import { planService } from '../../../src/resources/service.js';
import type { Action, Change, DesiredService, PlanContext } from '../../../src/resources/types.js';
import type { HostFacts, UnitFact } from '../../../src/facts/types.js';
import { ABSENT, context, fileFact, hostFacts, id } from './fixtures.js';

const UNIT = 'nginx.service';

function service(extra: Partial<DesiredService> = {}): DesiredService {
  return { kind: 'service', id: id('service', extra.unit ?? UNIT), unit: UNIT, ...extra };
}

function unit(active: string, enabled: string, load = 'loaded'): UnitFact {
  return { load, active, enabled };
}

function plan(desired: DesiredService, fact: UnitFact | undefined, ctx: PlanContext = context(), facts: Partial<HostFacts> = {}): Change[] {
  return planService(desired, hostFacts({ ...facts, units: fact === undefined ? {} : { [desired.unit]: fact } }), ctx);
}

const verbs = (...list: Array<Extract<Action, { op: 'systemctl' }>['verb']>): Action[] =>
  list.map((verb) => ({ op: 'systemctl', verb, unit: UNIT }));

const RUNNING = service({ enabled: true, state: 'started' });
const STOPPED = service({ enabled: false, state: 'stopped' });

describe('service', () => {
  it.each<[string, DesiredService, UnitFact]>([
    ['enabled and running', RUNNING, unit('active', 'enabled')],
    ['activating counts as started (auto-restart)', RUNNING, unit('activating', 'enabled')],
    ['disabled and stopped', STOPPED, unit('inactive', 'disabled')],
    ['failed counts as stopped', STOPPED, unit('failed', 'disabled')],
    ['a static unit cannot be enabled: not drift', RUNNING, unit('active', 'static')],
    ['a static unit cannot be disabled either', STOPPED, unit('inactive', 'static')],
    ['masked as asked', service({ masked: true }), unit('inactive', 'masked', 'masked')],
    ['only the state asked for', service({ state: 'started' }), unit('active', 'disabled')],
  ])('in sync: %s', (_name, desired, fact) => {
    expect(plan(desired, fact)).toEqual([]);
  });

  it.each<[string, DesiredService, UnitFact, string, Action[]]>([
    ['disabled and stopped', RUNNING, unit('inactive', 'disabled'), 'enable and start', verbs('enable', 'start')],
    ['enabled but stopped', RUNNING, unit('inactive', 'enabled'), 'start', verbs('start')],
    ['failed', RUNNING, unit('failed', 'enabled'), 'start', verbs('start')],
    ['running but disabled', RUNNING, unit('active', 'disabled'), 'enable', verbs('enable')],
    ['masked: unmask first', RUNNING, unit('inactive', 'masked', 'masked'), 'unmask, enable and start', verbs('unmask', 'enable', 'start')],
    ['masked at runtime', service({ state: 'started' }), unit('inactive', 'masked-runtime', 'masked'), 'unmask and start', verbs('unmask', 'start')],
    ['to stop and disable', STOPPED, unit('active', 'enabled'), 'disable and stop', verbs('disable', 'stop')],
    ['to mask, running', service({ masked: true }), unit('active', 'enabled'), 'stop and mask', verbs('stop', 'mask')],
    ['unmask asked explicitly', service({ masked: false }), unit('inactive', 'masked', 'masked'), 'unmask', verbs('unmask')],
  ])('%s', (_name, desired, fact, summary, actions) => {
    expect(plan(desired, fact)).toEqual([{ id: desired.id, summary, actions }]);
  });

  describe('a unit systemd does not know yet (check mode on a fresh host)', () => {
    const NOT_FOUND = unit('inactive', '', 'not-found');

    it('shipped by a package installed earlier: planned after it, with an assumption', () => {
      const [change] = plan(service({ ...RUNNING, providedBy: 'nginx' }), NOT_FOUND, context({ packagesToInstall: ['nginx'] }));
      expect(change).toEqual({
        id: RUNNING.id,
        summary: 'enable and start after package nginx is installed',
        actions: verbs('enable', 'start'),
        assumptions: ['assumes package nginx, installed by an earlier step, ships nginx.service'],
      });
      expect(change?.error).toBeUndefined();
    });

    it('the probe did not report it at all: the same', () => {
      const [change] = plan(service({ ...RUNNING, providedBy: 'nginx' }), undefined, context({ packagesToInstall: ['nginx'] }));
      expect(change?.summary).toBe('enable and start after package nginx is installed');
    });

    it('written by an earlier file resource', () => {
      const desired = service({ unit: 'orbis.service', enabled: true, state: 'started' });
      const [change] = plan(desired, undefined, context({ pathsToCreate: ['/etc/systemd/system/orbis.service'] }));
      expect(change?.summary).toBe('enable and start after /etc/systemd/system/orbis.service is written');
      expect(change?.actions).toEqual([
        { op: 'systemctl', verb: 'enable', unit: 'orbis.service' },
        { op: 'systemctl', verb: 'start', unit: 'orbis.service' },
      ]);
    });

    it('an instance of a template written earlier', () => {
      const desired = service({ unit: 'stunnel@kick.service', enabled: true });
      const [change] = plan(desired, undefined, context({ pathsToCreate: ['/etc/systemd/system/stunnel@.service'] }));
      expect(change?.assumptions).toEqual([
        'assumes /etc/systemd/system/stunnel@.service, written by an earlier step, defines stunnel@kick.service',
      ]);
    });

    it('its unit file is on disk but systemd has not read it: reload first', () => {
      const desired = service({ unit: 'orbis.service', state: 'started' });
      const [change] = plan(desired, undefined, context(), { paths: { '/etc/systemd/system/orbis.service': fileFact('[Unit]\n') } });
      expect(change?.actions).toEqual([{ op: 'daemon-reload' }, { op: 'systemctl', verb: 'start', unit: 'orbis.service' }]);
      expect(change?.summary).toBe('reload systemd and start');
    });

    it.each<[string, DesiredService, Partial<HostFacts>, string]>([
      [
        'nothing installs it',
        RUNNING,
        {},
        'unit nginx.service not found on the host and no earlier step installs it: set providedBy',
      ],
      [
        'its package is neither installed nor planned',
        service({ ...RUNNING, providedBy: 'nginx' }),
        {},
        "package nginx that ships it is neither installed nor planned: add it to the role's packages",
      ],
      [
        'its package is installed yet the unit is missing (a wrong name)',
        service({ ...RUNNING, providedBy: 'nginx' }),
        { packages: { nginx: '1.22.1-9' } },
        'not found although package nginx 1.22.1-9 is installed: check the unit name',
      ],
    ])('cannot be planned when %s, never an exception', (_name, desired, facts, message) => {
      const [change] = plan(desired, NOT_FOUND, context(), { ...facts, paths: { '/etc/systemd/system/nginx.service': ABSENT } });
      expect(change?.actions).toEqual([]);
      expect(change?.error).toContain(message);
    });

    it('nothing to stop or disable when it does not exist', () => {
      expect(plan(STOPPED, NOT_FOUND)).toEqual([]);
    });

    it('masking works on a unit that does not exist', () => {
      expect(plan(service({ masked: true }), NOT_FOUND)[0]?.actions).toEqual(verbs('mask'));
    });
  });

  it('masked and started at once cannot be planned', () => {
    const [change] = plan(service({ masked: true, state: 'started' }), unit('active', 'enabled'));
    expect(change?.error).toContain('cannot be masked and also enabled or started');
  });
});
