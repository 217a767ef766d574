// The verify step's remote scripts. A round trip is the unit of cost, so ONE bash script run
// as root asks the host everything at once (like facts/probe.ts) and prints tagged,
// tab-separated lines that parse.ts reads back; anything free-form (command output, XML) is
// base64-encoded so it can hold tabs and newlines. Three variants of the same sections:
//   full:   every check, the FFmpeg test included (the first round trip);
//   settle: only what needs the system to settle (units, listeners, gateway, /stat), retried;
//   ffmpeg: the FFmpeg test again, when its input (the gateway) only settled later.
// The scripts carry no secret: they never need a stream key.
import { shq } from '../util/shell.js';
import type { VerifyInput } from './types.js';

export type ScriptKind = 'full' | 'settle' | 'ffmpeg';

export interface ScriptOptions {
  seconds: number;
  minSpeed: number;
  /** Run the FFmpeg test in the full script (default true). */
  ffmpeg?: boolean;
}

/** Properties the unit checks read (systemctl show). */
export const UNIT_PROPERTIES = 'Id,LoadState,ActiveState,SubState,UnitFileState,NRestarts,Result,ExecMainStatus,ActiveEnterTimestampMonotonic';

/** Seconds the FFmpeg test may take: twice what the slowest passing speed needs, plus start-up. */
export function ffmpegTimeLimitSec(options: ScriptOptions): number {
  return Math.ceil((2 * options.seconds) / Math.max(options.minSpeed, 0.1)) + 20;
}

/** The exec timeout for a script (the remote `timeout` around the whole of it). */
export function scriptTimeoutSec(kind: ScriptKind, options: ScriptOptions): number {
  return kind === 'settle' ? 60 : ffmpegTimeLimitSec(options) + 90;
}

export const PRELUDE = [
  'set -u',
  'export LC_ALL=C',
  'b64() { base64 -w0; }',
  // Work files in a root-only directory, removed whatever happens.
  'T=$(mktemp -d) || exit 1',
  `trap 'rm -rf "$T"' EXIT`,
  'cd /',
  // The host's clock first: compared with the controller's (clock check, certificate expiry).
  `printf 'NOW\\t%s\\n' "$(date +%s.%N)"`,
];

/** The stack's units as `systemctl show` sees them (`flags`: e.g. `--timestamp=unix`). */
export function unitsSection(input: Pick<VerifyInput, 'units'>, properties = UNIT_PROPERTIES, flags = ''): string[] {
  const units = Object.values(input.units).map(shq).join(' ');
  return [
    `printf 'UNITS\\t%s\\t%s\\n' "$(date +%s.%N)" "$(systemctl show --no-pager ${flags ? `${flags} ` : ''}-p ${properties} -- ${units} 2>&1 | b64)"`,
  ];
}

function listenersSection(): string[] {
  return [
    // TCP and UDP listeners with their processes; then, per process, who it is: its name,
    // command line and cgroup (the systemd unit that owns it, even when its name says python3).
    'ss -Htulnp > "$T/ss" 2>&1',
    `printf 'SS\\t%s\\n' "$(b64 < "$T/ss")"`,
    `for pid in $(grep -o 'pid=[0-9]*' "$T/ss" | cut -d= -f2 | sort -un); do`,
    `  printf 'PROC\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$pid" "$(stat -c %U /proc/$pid 2>/dev/null)" "$(tr -d '\\n' < /proc/$pid/comm 2>/dev/null | b64)" "$(head -c 300 /proc/$pid/cmdline 2>/dev/null | tr '\\0' ' ' | b64)" "$(b64 < /proc/$pid/cgroup 2>/dev/null)"`,
    'done',
  ];
}

function curlMissing(tag: string): string {
  return `if ! command -v curl >/dev/null 2>&1; then printf '${tag}\\t127\\t\\n'; else`;
}

export function gatewaySection(input: Pick<VerifyInput, 'btfs'>): string[] {
  const url = `${input.btfs.gatewayUrl}/${input.btfs.testCid}`;
  // The API answers 401 without a token in BTFS 4.x: that still proves the daemon is up.
  const api = `http://127.0.0.1:${input.btfs.apiPort}/api/v1/id`;
  return [
    curlMissing('GW'),
    `  w=$(curl -sS -o /dev/null -r 0-511 --max-time 10 -w '%{http_code} %{size_download} %{time_total}' ${shq(url)} 2>"$T/gw"); rc=$?`,
    `  printf 'GW\\t%s\\t%s\\t%s\\n' "$rc" "$w" "$(b64 < "$T/gw")"`,
    `  w=$(curl -sS -o /dev/null -X POST --max-time 5 -w '%{http_code}' ${shq(api)} 2>/dev/null); printf 'API\\t%s\\t%s\\n' "$?" "$w"`,
    'fi',
  ];
}

export function statSection(input: Pick<VerifyInput, 'stats'>): string[] {
  // A wildcard listen address is reached on loopback.
  const address = input.stats.address === '0.0.0.0' ? '127.0.0.1' : input.stats.address;
  const url = `http://${address}:${input.stats.port}/stat`;
  return [
    curlMissing('STAT'),
    `  w=$(curl -sS -o "$T/stat" --max-time 5 -w '%{http_code}' ${shq(url)} 2>"$T/stat.err"); rc=$?`,
    `  printf 'STAT\\t%s\\t%s\\t%s\\t%s\\n' "$rc" "$w" "$(head -c 200000 "$T/stat" 2>/dev/null | b64)" "$(b64 < "$T/stat.err")"`,
    'fi',
  ];
}

function resolveLine(host: string): string {
  // Bounded: a host name missing from /etc/hosts and DNS can take the resolver's whole timeout.
  return `printf 'RESOLVE\\t%s\\t%s\\n' ${shq(host)} "$(timeout 5 getent ahostsv4 ${shq(host)} 2>/dev/null | awk 'NR==1{print $1}')"`;
}

function tlsSection(kick: NonNullable<VerifyInput['kick']>): string[] {
  const h = shq(kick.host);
  const target = shq(`${kick.host}:${kick.port}`);
  return [
    resolveLine(kick.host),
    'if ! command -v openssl >/dev/null 2>&1; then printf \'TLS\\t127\\t\\n\'; else',
    // s_client exits 0 even when verification fails: -verify_return_error makes it abort, and
    // the parser reads the Verification line too (libraries.md).
    `  timeout 15 openssl s_client -connect ${target} -servername ${h} -verify_hostname ${h} -verify_return_error -brief </dev/null > "$T/tls" 2>&1; rc=$?`,
    `  printf 'TLS\\t%s\\t%s\\n' "$rc" "$(b64 < "$T/tls")"`,
    // What the server presented, verified or not: subject and expiry for the report, and for
    // the hint when verification failed (whose certificate is it?).
    `  timeout 15 openssl s_client -connect ${target} -servername ${h} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName > "$T/cert" 2>/dev/null`,
    `  printf 'CERT\\t%s\\n' "$(b64 < "$T/cert")"`,
    'fi',
  ];
}

function dliveSection(dlive: NonNullable<VerifyInput['dlive']>): string[] {
  return [
    resolveLine(dlive.host),
    's=$(date +%s%N)',
    `timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${shq(dlive.host)} ${dlive.port} 2>"$T/dlive"; rc=$?`,
    `printf 'DLIVE\\t%s\\t%s\\t%s\\n' "$rc" "$(( ($(date +%s%N) - s) / 1000000 ))" "$(b64 < "$T/dlive")"`,
  ];
}

function clockSection(): string[] {
  return [
    `v=$(systemd-detect-virt 2>/dev/null); printf 'VIRT\\t%s\\n' "\${v:-none}"`,
    `printf 'TIMEDATE\\t%s\\t%s\\n' "$(timedatectl show 2>&1 | b64)" "$([ -e /run/systemd/timesync/synchronized ] && echo 1 || echo 0)"`,
  ];
}

function nginxSection(): string[] {
  return [
    'if ! command -v nginx >/dev/null 2>&1; then printf \'NGINXT\\t127\\t\\n\'; else',
    // nginx resolves push hosts while testing: bounded, like every step that may wait on DNS.
    `  timeout 20 nginx -t > "$T/nginx-t" 2>&1; printf 'NGINXT\\t%s\\t%s\\n' "$?" "$(tail -c 4000 "$T/nginx-t" | b64)"`,
    // Only the file markers and load_module lines leave the host: the rest of `nginx -T` holds
    // the push URLs, stream keys included.
    `  timeout 20 nginx -T 2>/dev/null | grep -E '^# configuration file |load_module' > "$T/nginx-mods"; rc=\${PIPESTATUS[0]}`,
    `  printf 'NGINXMOD\\t%s\\t%s\\n' "$rc" "$(b64 < "$T/nginx-mods")"`,
    'fi',
  ];
}

/** The seed's null-output test, without -re (which pins speed at 1x and hides the margin). */
function ffmpegSection(input: VerifyInput, options: ScriptOptions): string[] {
  const e = input.encode;
  const filter = `scale=${e.width}:${e.height}:force_original_aspect_ratio=decrease,pad=${e.width}:${e.height}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p`;
  const argsOf = (args: string): string => args.split(/\s+/).filter((a) => a.length > 0).map(shq).join(' ');
  const lines: string[] = [
    `u=${shq(input.ffmpegUser)}; id -u "$u" >/dev/null 2>&1 || u=nobody`,
  ];
  if (e.encoder) {
    lines.push(`enc=${shq(e.encoder.name)}; how=configured; set -- ${argsOf(e.encoder.args)}`);
  } else {
    // ENCODEUR_VIDEO=auto and no facts: the encoder the host was provisioned with (role
    // ffmpeg writes it), read as text, never sourced.
    lines.push(`enc=$(sed -n 's/^ENCODEUR_VIDEO=//p' /etc/orbis/encodeur.env 2>/dev/null | head -1); how=provisioned`, 'case "$enc" in');
    for (const [name, args] of Object.entries(e.candidates)) lines.push(`  ${shq(name)}) set -- ${argsOf(args)} ;;`);
    const fallback = e.candidates.libx264 ?? Object.values(e.candidates)[0] ?? '';
    lines.push(`  *) enc=libx264; how=assumed; set -- ${argsOf(fallback)} ;;`, 'esac');
  }
  const url = `${input.btfs.gatewayUrl}/${input.btfs.testCid}`;
  lines.push(
    'if ! command -v ffmpeg >/dev/null 2>&1; then printf \'FFMPEG\\t127\\t0\\t%s\\t%s\\t%s\\t\\n\' "$u" "$enc" "$how"; else',
    '  s=$(date +%s%N)',
    // -stream_loop: the test CID may be shorter than the media asked for.
    `  runuser -u "$u" -- timeout -k 5 ${ffmpegTimeLimitSec(options)} ffmpeg -hide_banner -nostdin -stream_loop -1 -i ${shq(url)} -t ${options.seconds} -vf ${shq(filter)} "$@" -r ${e.fps} -c:a aac -b:a ${e.audioKbps}k -ar 44100 -ac 2 -f null - </dev/null >/dev/null 2>"$T/ffmpeg"; rc=$?`,
    `  printf 'FFMPEG\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$rc" "$(( ($(date +%s%N) - s) / 1000000 ))" "$u" "$enc" "$how" "$(tail -c 4000 "$T/ffmpeg" | b64)"`,
    'fi',
  );
  return lines;
}

/** The script of one kind. Pure: the same input gives the same script. */
export function buildVerifyScript(input: VerifyInput, kind: ScriptKind, options: ScriptOptions): string {
  const lines = [...PRELUDE];
  if (kind === 'ffmpeg') {
    lines.push(...ffmpegSection(input, options));
  } else {
    lines.push(...unitsSection(input), ...listenersSection(), ...gatewaySection(input), ...statSection(input));
    if (kind === 'full') {
      lines.push(...clockSection(), ...nginxSection());
      if (input.kick) lines.push(...tlsSection(input.kick));
      if (input.dlive) lines.push(...dliveSection(input.dlive));
      if (options.ffmpeg !== false) lines.push(...ffmpegSection(input, options));
      // A second sample of the units after the FFmpeg test: a restart counter that moved in
      // between is a unit crash-looping.
      lines.push(...unitsSection(input));
    }
  }
  lines.push(`printf 'END\\n'`);
  return lines.join('\n') + '\n';
}
