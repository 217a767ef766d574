import { describe, expect, it } from 'vitest';
import { planDownload } from '../../../src/resources/download.js';
import type { Change, DesiredDownload } from '../../../src/resources/types.js';
import type { HostFacts, PathFact } from '../../../src/facts/types.js';
import { ABSENT, context, dirFact, fileFact, hostFacts, id, sha } from './fixtures.js';

const PATH = '/usr/local/bin/btfs';
const URL = 'http://ingest.lab/btfs-linux-arm64.tar.gz';
const ARCHIVE = 'ab'.repeat(32);
const BINARY = '#!/bin/sh\necho btfs\n';

function download(extra: Partial<DesiredDownload> = {}): DesiredDownload {
  return {
    kind: 'download',
    id: id('download', PATH),
    url: URL,
    sha256: sha(BINARY),
    path: PATH,
    mode: '0755',
    owner: 'root',
    group: 'root',
    ...extra,
  };
}

const extracted = (extra: Partial<DesiredDownload> = {}): DesiredDownload => download({ sha256: ARCHIVE, extract: 'btfs', ...extra });

function plan(desired: DesiredDownload, fact: PathFact | undefined, facts: Partial<HostFacts> = {}): Change[] {
  return planDownload(desired, hostFacts({ ...facts, paths: fact === undefined ? {} : { [PATH]: fact } }), context());
}

const EXEC = (extra: Partial<PathFact> = {}): PathFact => fileFact(BINARY, { mode: '0755', ...extra });

describe('download', () => {
  it.each<[string, DesiredDownload, PathFact, Partial<HostFacts>]>([
    ['file with the pinned sha256', download(), EXEC(), {}],
    ['pinned sha256 written in capitals', download({ sha256: sha(BINARY).toUpperCase() }), EXEC(), {}],
    ['member extracted from the pinned archive, as recorded', extracted(), EXEC(), { manifest: { [PATH]: ARCHIVE } }],
    ['member as installed (its own sha256 recorded too)', extracted(), EXEC(), { manifest: { [PATH]: ARCHIVE }, manifestInstalled: { [PATH]: sha(BINARY) } }],
  ])('in sync: %s', (_name, desired, fact, facts) => {
    expect(plan(desired, fact, facts)).toEqual([]);
  });

  it('missing: download, verified on the Pi against the pinned sha256', () => {
    expect(plan(download(), ABSENT)).toEqual([
      {
        id: download().id,
        summary: `download ${URL}, sha256 ${sha(BINARY).slice(0, 8)}, 0755 root:root`,
        actions: [{ op: 'download', url: URL, sha256: sha(BINARY), path: PATH, mode: '0755', owner: 'root', group: 'root' }],
      },
    ]);
  });

  it('missing, from an archive: names the member', () => {
    const [change] = plan(extracted(), ABSENT);
    expect(change?.actions).toEqual([
      { op: 'download', url: URL, sha256: ARCHIVE, path: PATH, mode: '0755', owner: 'root', group: 'root', extract: 'btfs' },
    ]);
    expect(change?.summary).toContain('(member btfs)');
  });

  it.each<[string, DesiredDownload, PathFact, Partial<HostFacts>, string]>([
    ['another version on disk', download(), EXEC({ sha256: 'cd'.repeat(32) }), {}, `replace (sha256 cdcdcdcd -> ${sha(BINARY).slice(0, 8)}) from ${URL}`],
    ['extracted from another archive', extracted(), EXEC(), { manifest: { [PATH]: 'ef'.repeat(32) } }, `replace from ${URL} (member btfs), sha256 abababab`],
    ['on disk, but orbis never recorded extracting it', extracted(), EXEC(), {}, `replace from ${URL} (member btfs), sha256 abababab`],
    [
      'extracted from the pinned archive, then replaced on the host',
      extracted(),
      EXEC({ sha256: 'cd'.repeat(32) }),
      { manifest: { [PATH]: ARCHIVE }, manifestInstalled: { [PATH]: sha(BINARY) } },
      `replace (sha256 cdcdcdcd, not the ${sha(BINARY).slice(0, 8)} orbis installed; replaced on the host) from ${URL} (member btfs), sha256 abababab`,
    ],
  ])('%s: download again', (_name, desired, fact, facts, summary) => {
    const [change] = plan(desired, fact, facts);
    expect(change?.summary).toBe(summary);
    expect(change?.actions.map((a) => a.op)).toEqual(['download']);
  });

  it('right content, wrong mode: chmod only', () => {
    expect(plan(download(), EXEC({ mode: '0644' }))).toEqual([
      { id: download().id, summary: 'mode 0644 -> 0755', actions: [{ op: 'chmod', path: PATH, mode: '0755' }] },
    ]);
  });

  it('a directory in the way cannot be planned', () => {
    expect(plan(download(), dirFact())[0]?.error).toContain('is a directory on the host');
  });
});
