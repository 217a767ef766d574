// A status script's answer, decoded once: the records it shares with verify (observe.sh's NOW,
// UNITS, GW, API, STAT, END) become Observations as verify's do; the streamer's state, the journal
// and the BTFS daemon are read here.
import { observationsOf, type Observations } from '../verify/parse/output.js';
import type { OBSERVE_RECORDS } from '../wire/observe.js';
import { decodeRecords, type DecodedRecord } from '../wire/records.js';
import { STATUS_RECORDS } from '../wire/status.js';
import { keyValues, lastValue, wholeValue } from '../wire/key-values.js';
import { parseStreamerState, type StreamerState } from '../verify/parse/streamer.js';

export { parseStreamerState, type StreamerSample, type StreamerState } from '../verify/parse/streamer.js';

export interface JournalEntry {
  /** Host time, microseconds. */
  atUs: number;
  unit: string;
  /** systemd's own line about the unit (it failed, it restarts), not the unit's. */
  fromSystemd: boolean;
  priority: number;
  message: string;
}

/** The BTFS daemon as its journal and cgroup tell it (status script's BTFS line). */
export interface BtfsDaemon {
  /** What go-btfs last said of its start: ready, or waiting for its address to be funded. */
  said?: { ready: true } | { ready: false; fundingAddress: string };
  memoryBytes?: number;
}

export interface StatusObservations extends Observations {
  streamer: StreamerState;
  journal: JournalEntry[];
  btfs: BtfsDaemon;
  cache?: CacheState;
}

/** The prefetch cache's state (orbis-cache's `.etat`, key=value lines, rewritten after each pass). */
export interface CacheState {
  disabled: boolean;
  /** Videos of the playlist, those among the next that fit in the cache, and those held now. */
  videos: number;
  ahead: number;
  cached: number;
  heldBytes: number;
  writtenTodayBytes: number;
  /** The first video the cache could not take, and why. */
  blocked?: string;
}

export function parseCacheState(text: string): CacheState | undefined {
  const kv = keyValues(text);
  if (kv.size === 0) return undefined;
  const n = (key: string): number => wholeValue(kv, key);
  const blocked = lastValue(kv, 'blocked');
  return {
    disabled: lastValue(kv, 'disabled') === '1',
    videos: n('videos'),
    ahead: n('ahead'),
    cached: n('cached'),
    heldBytes: n('held'),
    writtenTodayBytes: n('written_today'),
    ...(blocked ? { blocked } : {}),
  };
}

/** The BTFS line: MemoryCurrent ([not set] or a number of bytes) and the daemon's last word. */
export function parseBtfsDaemon(memory: string, said: string): BtfsDaemon {
  const daemon: BtfsDaemon = {};
  if (/^\d+$/.test(memory.trim())) daemon.memoryBytes = Number(memory.trim());
  if (said.startsWith('Daemon is ready')) daemon.said = { ready: true };
  const funding = /available on (0x[0-9a-fA-F]+)/.exec(said);
  if (funding?.[1]) daemon.said = { ready: false, fundingAddress: funding[1] };
  return daemon;
}

/** journalctl -o json lines; a MESSAGE that is not UTF-8 comes as an array of bytes. */
export function parseJournal(text: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const raw = record.MESSAGE;
    const message = typeof raw === 'string' ? raw : Array.isArray(raw) ? Buffer.from(raw as number[]).toString('utf8') : '';
    entries.push({
      atUs: Number(record.__REALTIME_TIMESTAMP) || 0,
      // systemd's own lines about a unit carry UNIT; the unit's lines carry _SYSTEMD_UNIT.
      unit: String(record.UNIT ?? record._SYSTEMD_UNIT ?? ''),
      fromSystemd: record.UNIT !== undefined,
      priority: Number(record.PRIORITY ?? 6),
      message: message.trim(),
    });
  }
  // Several queries: one entry may come twice.
  const seen = new Set<string>();
  return entries
    .filter((e) => {
      const key = `${e.atUs} ${e.unit} ${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.atUs - b.atUs);
}

export function parseStatusOutput(output: string): StatusObservations {
  let streamer: StreamerState = { samples: [], skips: [] };
  let journal: JournalEntry[] = [];
  let btfs: BtfsDaemon = {};
  let cache: CacheState | undefined;
  const looks: Array<DecodedRecord<typeof OBSERVE_RECORDS>> = [];
  for (const r of decodeRecords(output, STATUS_RECORDS, 'status script')) {
    if (r.tag === 'STREAMER') {
      streamer = parseStreamerState(r.etat, r.tour ?? '');
      cache = parseCacheState(r.cache ?? '');
    }
    else if (r.tag === 'JOURNAL') journal = parseJournal(r.entries);
    else if (r.tag === 'BTFS') btfs = parseBtfsDaemon(r.memory, (r.said ?? '').trim());
    else looks.push(r);
  }
  return { ...observationsOf(looks), streamer, journal, btfs, ...(cache ? { cache } : {}) };
}
