import { describe, expect, it } from 'vitest';
import { planFile } from '../../../src/resources/file.js';
import type { Change, DesiredFile, PlanContext } from '../../../src/resources/types.js';
import type { HostFacts, PathFact } from '../../../src/facts/types.js';
import { ABSENT, context, dirFact, fileFact, hostFacts, id, sha } from './fixtures.js';

const PATH = '/etc/orbis/orbis.conf';
const CONTENT = 'LARGEUR=1280\nHAUTEUR=720\n';

function file(extra: Partial<DesiredFile> = {}): DesiredFile {
  return { kind: 'file', id: id('file', PATH), path: PATH, content: CONTENT, mode: '0644', owner: 'root', group: 'root', ...extra };
}

function plan(desired: DesiredFile, fact: PathFact | undefined, facts: Partial<HostFacts> = {}, ctx: PlanContext = context()): Change[] {
  return planFile(desired, hostFacts({ ...facts, paths: fact === undefined ? {} : { [desired.path]: fact } }), ctx);
}

describe('file', () => {
  it.each<[string, DesiredFile, PathFact]>([
    ['same content, mode and owner', file(), fileFact(CONTENT)],
    ['mode written without the leading zero by stat', file(), fileFact(CONTENT, { mode: '644' })],
    ['setgid mode', file({ mode: '2775' }), fileFact(CONTENT, { mode: '2775' })],
  ])('in sync: %s', (_name, desired, fact) => {
    expect(plan(desired, fact)).toEqual([]);
  });

  it('missing: write it, with a diff from /dev/null', () => {
    const [change] = plan(file({ validate: 'bash -n %s', backup: false }), ABSENT);
    expect(change).toMatchObject({
      summary: 'create (new file, 2 lines, 0644 root:root)',
      actions: [
        {
          op: 'write-file',
          path: PATH,
          content: CONTENT,
          mode: '0644',
          owner: 'root',
          group: 'root',
          validate: 'bash -n %s',
          backup: false,
          previousSha256: null,
        },
      ],
    });
    expect(change?.diff).toBe(
      `--- /dev/null\n+++ b${PATH}\n@@ -0,0 +1,2 @@\n+LARGEUR=1280\n+HAUTEUR=720\n`,
    );
  });

  // The probe does not stat parents: write-file creates missing ones (mkdir -p), so a file under a
  // directory nobody declares is planned like any other, without an assumption.
  it('a file under a directory that does not exist yet: a plain write', () => {
    const deep = file({ path: '/etc/orbis/new/dir/x.conf', id: id('file', '/etc/orbis/new/dir/x.conf') });
    const [change] = plan(deep, ABSENT);
    expect(change?.error).toBeUndefined();
    expect(change?.assumptions).toBeUndefined();
    expect(change?.actions.map((a) => a.op)).toEqual(['write-file']);
  });

  it('a path the probe did not report is treated as missing', () => {
    expect(plan(file(), undefined)[0]?.actions[0]).toMatchObject({ op: 'write-file', previousSha256: null });
  });

  it('content drift with the old content unknown: rewrite, and say the diff is not available', () => {
    const old = 'LARGEUR=640\nHAUTEUR=720\n';
    const [change] = plan(file(), fileFact(old));
    expect(change?.summary).toBe(
      `update (content sha256 ${sha(old).slice(0, 8)} -> ${sha(CONTENT).slice(0, 8)}, old content not fetched)`,
    );
    expect(change?.diff).toBeUndefined();
    expect(change?.actions).toEqual([expect.objectContaining({ op: 'write-file', previousSha256: sha(old), backup: true })]);
  });

  it('content drift with the old content fetched: a unified diff', () => {
    const old = 'LARGEUR=640\nHAUTEUR=720\n';
    const [change] = plan(file(), fileFact(old, { content: old }));
    expect(change?.summary).toBe('update (content +1 -1)');
    expect(change?.diff).toBe(`--- a${PATH}\n+++ b${PATH}\n@@ -1,2 +1,2 @@\n-LARGEUR=640\n+LARGEUR=1280\n HAUTEUR=720\n`);
  });

  it('fetched content that does not match the hash is not trusted for a diff', () => {
    const old = 'LARGEUR=640\n';
    const [change] = plan(file(), fileFact(old, { content: 'something else\n' }));
    expect(change?.diff).toBeUndefined();
  });

  it('content and mode drift: one rewrite sets both, and the summary says both', () => {
    const [change] = plan(file({ mode: '0600' }), fileFact('x\n', { content: 'x\n' }));
    expect(change?.actions.map((a) => a.op)).toEqual(['write-file']);
    expect(change?.summary).toBe('update (content +2 -1, mode 0644 -> 0600)');
  });

  it.each<[string, DesiredFile, PathFact, Partial<Change>]>([
    [
      'mode only: chmod, no rewrite',
      file({ mode: '0600' }),
      fileFact(CONTENT),
      { summary: 'mode 0644 -> 0600', actions: [{ op: 'chmod', path: PATH, mode: '0600' }] },
    ],
    [
      'owner only: chown, no rewrite',
      file({ owner: 'pi', group: 'pi' }),
      fileFact(CONTENT),
      { summary: 'owner root:root -> pi:pi', actions: [{ op: 'chown', path: PATH, owner: 'pi', group: 'pi' }] },
    ],
    [
      'group only',
      file({ group: 'video' }),
      fileFact(CONTENT),
      { summary: 'owner root:root -> root:video', actions: [{ op: 'chown', path: PATH, owner: 'root', group: 'video' }] },
    ],
    [
      'mode and owner',
      file({ mode: '0640', group: 'pi' }),
      fileFact(CONTENT),
      { summary: 'mode 0644 -> 0640, owner root:root -> root:pi', actions: [{ op: 'chmod', path: PATH, mode: '0640' }, { op: 'chown', path: PATH, owner: 'root', group: 'pi' }] },
    ],
  ])('attribute drift: %s', (_name, desired, fact, expected) => {
    expect(plan(desired, fact)).toEqual([{ id: desired.id, ...expected }]);
  });

  it('a symlink in the way is replaced by the file', () => {
    const [change] = plan(file(), { exists: true, type: 'link', linkTarget: '/opt/orbis.conf' });
    expect(change?.summary).toBe('replace a symlink (-> /opt/orbis.conf) with a file (new file, 2 lines, 0644 root:root)');
    expect(change?.actions[0]).toMatchObject({ op: 'write-file', previousSha256: null });
  });

  it.each<[string, PathFact, string]>([
    ['a directory', dirFact(), 'is a directory on the host'],
    ['a fifo', { exists: true, type: 'other' }, 'is a special file'],
  ])('cannot replace %s', (_name, fact, message) => {
    const [change] = plan(file(), fact);
    expect(change?.actions).toEqual([]);
    expect(change?.error).toContain(message);
  });

  it('a unit file also reloads systemd', () => {
    const unit = file({ path: '/etc/systemd/system/orbis.service', id: id('file', '/etc/systemd/system/orbis.service') });
    expect(plan(unit, ABSENT)[0]?.actions.map((a) => a.op)).toEqual(['write-file', 'daemon-reload']);
    const dropIn = file({ path: '/etc/systemd/system/nginx.service.d/orbis.conf' });
    expect(plan(dropIn, ABSENT)[0]?.actions.map((a) => a.op)).toEqual(['write-file', 'daemon-reload']);
  });

  describe('owners that do not exist yet (check mode on a fresh host)', () => {
    const btfs = file({ owner: 'btfs', group: 'btfs' });

    it('created by an earlier user resource: planned, with the assumption', () => {
      const [change] = plan(btfs, ABSENT, {}, context({ usersToCreate: ['btfs'], groupsToCreate: ['btfs'] }));
      expect(change?.error).toBeUndefined();
      expect(change?.assumptions).toEqual([
        'assumes user btfs is created by an earlier resource',
        'assumes group btfs is created by an earlier resource',
      ]);
    });

    it('maybe created by a package installed earlier: planned, assuming so', () => {
      const [change] = plan(file({ owner: 'stunnel4', group: 'stunnel4' }), ABSENT, {}, context({ packagesToInstall: ['stunnel4'] }));
      expect(change?.error).toBeUndefined();
      expect(change?.assumptions).toContain('assumes user stunnel4 is created by a package installed earlier (stunnel4)');
    });

    it('nothing creates them: cannot be planned, saying what to add', () => {
      const [change] = plan(btfs, ABSENT);
      expect(change?.actions).toEqual([]);
      expect(change?.error).toContain('user btfs does not exist on the host and no earlier resource creates it');
      expect(change?.error).toContain('group btfs does not exist');
    });

    it('existing owners need no assumption', () => {
      const [change] = plan(file({ owner: 'pi', group: 'video' }), ABSENT);
      expect(change?.assumptions).toBeUndefined();
    });
  });

  describe('secrets', () => {
    const KEY = 'sk_live_4f9a8b7c6d5e';
    const conf = (key: string): string => `LARGEUR=1280\nDLIVE_CLE_FLUX="${key}"\nHAUTEUR=720\n`;
    const secretFile = file({ content: conf(KEY), secretValues: [KEY] });

    it('a new file: the diff shows the key masked', () => {
      const [change] = plan(secretFile, ABSENT);
      expect(change?.diff).toContain('+DLIVE_CLE_FLUX="********"');
      expect(JSON.stringify(change?.diff)).not.toContain(KEY);
      expect(change?.summary).not.toContain(KEY);
    });

    it('a rotated key: both sides masked, the new line says the key changed', () => {
      const OLD = 'sk_live_0000old0000';
      const [change] = plan(secretFile, fileFact(conf(OLD), { content: conf(OLD) }));
      expect(change?.summary).toBe('update (content +1 -1)');
      expect(change?.diff).toContain('-DLIVE_CLE_FLUX="********"\n+DLIVE_CLE_FLUX="******** (changed)"');
      expect(change?.diff).not.toContain(OLD);
      expect(change?.diff).not.toContain(KEY);
    });

    it('an unrelated change next to the key: the key stays masked in the context lines', () => {
      const old = conf(KEY).replace('1280', '640');
      const [change] = plan(secretFile, fileFact(old, { content: old }));
      expect(change?.diff).toContain(' DLIVE_CLE_FLUX="********"');
      expect(change?.diff).not.toContain(KEY);
    });
  });
});
