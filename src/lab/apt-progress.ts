// apt-get's progress in one short line. apt-get writes machine-readable progress to the file
// descriptor named by `-o APT::Status-Fd=N` (apt's README.progress-reporting), one record a line,
// fields separated by ':' (the last one may hold more):
//   dlstatus:ITEM:PERCENT:DESCRIPTION   downloading (lists or packages), e.g.
//                                       dlstatus:2:68.4435:Retrieving file 2 of 2
//   pmstatus:PACKAGE:PERCENT:DESCRIPTION dpkg at work, e.g.
//                                       pmstatus:ffmpeg:23.0769:Unpacking ffmpeg (amd64)
//   pmerror:PACKAGE:PERCENT:MESSAGE     dpkg failed on a package
// (recorded from apt 2.6 on bookworm; test/unit/lab/fixtures/apt-status-*.txt). The descriptions
// are apt's own words, in the C locale when apt-get runs with LC_ALL=C.

export interface AptStatus {
  kind: 'dlstatus' | 'pmstatus' | 'pmerror';
  /** The package (pmstatus, pmerror) or the item number (dlstatus). */
  subject: string;
  percent: number;
  description: string;
}

export function parseAptStatus(line: string): AptStatus | undefined {
  const match = /^(dlstatus|pmstatus|pmerror):([^:]*):([\d.]+):(.*)$/.exec(line.trim());
  if (!match) return undefined;
  const [, kind, subject, percent, description] = match;
  return { kind: kind as AptStatus['kind'], subject: subject ?? '', percent: Number(percent), description: description ?? '' };
}

/**
 * Condenses apt-get's status records into the one line a person needs: what the whole call is
 * for (`what`, e.g. "installing 7 packages") and what apt is at now, e.g.
 * "installing 7 packages: unpacking ffmpeg (23%)".
 */
export class AptProgressLine {
  #now = '';
  #error: string | undefined;

  constructor(private readonly what: string) {}

  /** Takes one status record (other lines are ignored); true when the line reads differently. */
  feed(line: string): boolean {
    const status = parseAptStatus(line);
    if (!status) return false;
    const before = this.text;
    if (status.kind === 'pmerror') this.#error = `${status.subject}: ${status.description}`;
    else this.#now = `${doing(status)} (${Math.floor(status.percent)}%)`;
    return this.text !== before;
  }

  get text(): string {
    return this.#now ? `${this.what}: ${this.#now}` : this.what;
  }

  /** dpkg's last error, if it reported one (it goes with the log's last lines). */
  get error(): string | undefined {
    return this.#error;
  }
}

function doing(status: AptStatus): string {
  if (status.kind === 'dlstatus') {
    // "Retrieving file 3 of 41": the counts are the useful part.
    const counts = /(\d+) of (\d+)/.exec(status.description);
    return counts ? `downloading ${counts[1]}/${counts[2]}` : 'downloading';
  }
  // "Unpacking ffmpeg (amd64)" -> "unpacking ffmpeg": the architecture is the machine's own.
  const words = status.description.replace(/\s+\([a-z0-9-]+\)$/, '');
  return words.charAt(0).toLowerCase() + words.slice(1);
}
