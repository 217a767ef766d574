// Upstream's streamer was never a service: `scripts/diffuser.sh [-l LIST] [-p PLATFORM] [-m]
// [-b|-n] [-f] [-w]`, started by hand over SSH. When one is running, its arguments say what the
// Pi actually streams (which playlist, shuffled or not, looped or not), over orbis.conf's values.
// Parsed the way bash's `getopts ":l:p:mbnfwh"` reads them: clustered flags (-mb), an option's
// value attached (-lfile) or next, `--` or the first non-option word ending the options.

export interface StreamerArgs {
  playlist?: string;
  /** dlive | kick | toutes: upstream used it to pick the bitrates (and check keys), not the pushes. */
  platform?: string;
  shuffle?: true;
  loop?: boolean;
  watermark?: true;
  webcam?: true;
}

const WITH_VALUE = new Set(['l', 'p']);
const FLAGS = new Set(['m', 'b', 'n', 'f', 'w', 'h']);

/** `args` are the words after the script's path. */
export function parseStreamerArgs(args: readonly string[]): StreamerArgs {
  const out: StreamerArgs = {};
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === '--' || !word.startsWith('-') || word === '-') break;
    for (let j = 1; j < word.length; j++) {
      const letter = word[j] ?? '';
      if (WITH_VALUE.has(letter)) {
        const attached = word.slice(j + 1);
        const value = attached !== '' ? attached : args[++i];
        if (value === undefined) return out;
        if (letter === 'l') out.playlist = value;
        else out.platform = value;
        break;
      }
      if (!FLAGS.has(letter)) continue; // getopts reports it and diffuser.sh exits; nothing to read
      if (letter === 'm') out.shuffle = true;
      if (letter === 'b') out.loop = true;
      if (letter === 'n') out.loop = false;
      if (letter === 'f') out.watermark = true;
      if (letter === 'w') out.webcam = true;
    }
  }
  return out;
}

/** Where `diffuser.sh` is in a process's argv (`bash ./scripts/diffuser.sh ...` or the script itself). */
export function streamerArgsOf(argv: readonly string[]): string[] | undefined {
  const at = argv.findIndex((a) => /(^|\/)diffuser\.sh$/.test(a));
  return at < 0 ? undefined : argv.slice(at + 1);
}
