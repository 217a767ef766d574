#!/bin/bash
# shellcheck shell=bash
# The verify step's checks that only it makes (src/verify/script.ts composes them after common.sh
# and observe.sh). A round trip is the unit of cost, so ONE script run as root asks the host
# everything at once and prints tagged, tab-separated lines that src/verify/parse/output.ts reads
# back; anything free-form is base64. The script carries no secret: it never needs a stream key,
# and no stream key the host holds leaves it (see nginx_check). The composed script calls the
# functions it needs, once each, between observe_begin and observe_end; they use observe_begin's
# work directory $T.
#
# Reads:
#   KICK_HOST, KICK_PORT       the Kick TLS ingest (kick_tls only)
#   DLIVE_HOST, DLIVE_PORT     DLive's RTMP ingest (dlive_tcp only)
#   FFMPEG_USER                the user the FFmpeg test runs as (nobody when it does not exist)
#   MEDIA_URL                  what the FFmpeg test reads (the test CID through the gateway)
#   MEDIA_SECONDS              seconds of media it encodes
#   FFMPEG_LIMIT               seconds it may take (then it is killed)
#   WIDTH, HEIGHT, FPS, AUDIO_KBPS   the streamer's encode
#   ENCODER, ENCODER_ARGS      the encoder decided for the host and its FFmpeg arguments (one
#                              string, split on blanks); ENCODER='' for "what the host was
#                              provisioned with", read from:
#   ENCODER_ENV                the file role ffmpeg writes ENCODEUR_VIDEO= to (read as text, never
#                              sourced), and chosen between:
#   CANDIDATES, CANDIDATE_ARGS the encoders `auto` may resolve to and their arguments (arrays of
#                              the same length); libx264's (else the first) when the file names none
#   FFMPEG_LIVE                1: on a Pi that streams, read the encoder's speed from the live
#                              streamer instead of encoding on air (streamer_live); 0: always encode
#   STREAMER_UNIT, STREAMER_DIR the streamer's unit and its RuntimeDirectory (its state files)
#   STREAMER_FILES             what the streamer runs from (array: its settings, its script): it
#                              must have started after each was last written
#   LIVE_WAIT_SEC              a streamer started less than this ago is waited for, not tested
#   LIVE_FRESH_SEC             a progress sample older than this is stale (the stream stalled)
#
# Prints:
#   listeners    SS<TAB>b64(ss -Htulnp); PROCS<TAB>b64(one record per process: pid, user, comm,
#                cmdline, cgroup, separated by \x1f; records separated by \x1e)
#   clock_check  VIRT<TAB>virtualisation; TIMEDATE<TAB>b64(timedatectl show)<TAB>1|0 (synchronized)
#   nginx_check  NGINXT<TAB>rc<TAB>b64(nginx -t); NGINXMOD<TAB>rc<TAB>b64(file markers, load_module lines)
#   kick_tls     RESOLVE<TAB>host<TAB>IPv4; TLS<TAB>rc<TAB>b64(s_client -brief); CERT<TAB>b64(x509 text)
#   dlive_tcp    RESOLVE<TAB>host<TAB>IPv4; DLIVE<TAB>rc<TAB>ms<TAB>b64(error)
#   streamer_live LIVE<TAB>samples|starting|none<TAB>seconds since the streamer started<TAB>b64(etat)<TAB>b64(tour)
#   ffmpeg_test  (streamer_live's line first, when FFMPEG_LIVE=1; nothing more when it says samples
#                or starting) FFMPEG<TAB>rc<TAB>ms<TAB>user<TAB>encoder<TAB>how
#                (configured|provisioned|assumed)<TAB>b64(log tail)
# A missing command gives rc 127 and an empty rest (FFMPEG still says the user, encoder and how).

# listeners: TCP and UDP listeners with their processes; then, per process, who it is: its owner,
# name, command line and cgroup (the systemd unit that owns it, even when its name says python3).
# Read with bash's own builtins and one base64 for all: a fork costs ~5 ms on a Pi, and this ran
# eleven per process.
listeners() {
  local pid user comm line command cgroup=() args=() pids=() owners=()
  ss -Htulnp > "$T/ss" 2>&1
  printf 'SS\t%s\n' "$(b64 < "$T/ss")"
  mapfile -t pids < <(grep -o 'pid=[0-9]*' "$T/ss" | cut -d= -f2 | sort -un)
  [ "${#pids[@]}" -gt 0 ] || return 0
  # One stat for every owner: "/proc/PID USER" lines (a process gone meanwhile has none).
  mapfile -t owners < <(stat -c '%n %U' "${pids[@]/#//proc/}" 2>/dev/null)
  for pid in "${pids[@]}"; do
    user=''
    for line in "${owners[@]}"; do [ "${line%% *}" = "/proc/$pid" ] && user=${line#* }; done
    comm='' cgroup=() args=()
    read -r comm < "/proc/$pid/comm" 2>/dev/null
    mapfile -d '' -t args < "/proc/$pid/cmdline" 2>/dev/null
    mapfile -t cgroup < "/proc/$pid/cgroup" 2>/dev/null
    command="${args[*]}"
    printf '%s\x1f%s\x1f%s\x1f%s\x1f' "$pid" "$user" "$comm" "${command:0:300}"
    printf '%s\n' "${cgroup[@]}"
    printf '\x1e'
  done > "$T/procs"
  printf 'PROCS\t%s\n' "$(b64 < "$T/procs")"
}

# clock_check: what the clock check needs (a container keeps its host's clock).
clock_check() {
  local v
  v=$(systemd-detect-virt 2>/dev/null); printf 'VIRT\t%s\n' "${v:-none}"
  printf 'TIMEDATE\t%s\t%s\n' "$(timedatectl show 2>&1 | b64)" "$([ -e /run/systemd/timesync/synchronized ] && echo 1 || echo 0)"
}

# nginx_check: the configuration test, and which files and modules nginx loads. One `nginx -T`
# does both: it tests the configuration (its stderr and exit code are `nginx -t`'s) and dumps it.
nginx_check() {
  local rc
  if ! command -v nginx >/dev/null 2>&1; then printf 'NGINXT\t127\t\n'; return; fi
  # nginx resolves push hosts while testing: bounded, like every step that may wait on DNS.
  timeout 20 nginx -T > "$T/nginx-dump" 2> "$T/nginx-t"; rc=$?
  printf 'NGINXT\t%s\t%s\n' "$rc" "$(tail -c 4000 "$T/nginx-t" | b64)"
  # Only the file markers and load_module lines leave the host: the rest of the dump holds the
  # push URLs, stream keys included.
  grep -E '^# configuration file |load_module' "$T/nginx-dump" > "$T/nginx-mods"
  printf 'NGINXMOD\t%s\t%s\n' "$rc" "$(b64 < "$T/nginx-mods")"
  rm -f "$T/nginx-dump"
}

# resolve HOST: the first IPv4 address the host resolves HOST to (empty: none). Bounded: a host
# name missing from /etc/hosts and DNS can take the resolver's whole timeout.
resolve() {
  printf 'RESOLVE\t%s\t%s\n' "$1" "$(timeout 5 getent ahostsv4 "$1" 2>/dev/null | awk 'NR==1{print $1}')"
}

# kick_tls: TLS to the Kick ingest as stunnel makes it, with the chain and the host name verified.
kick_tls() {
  local rc
  resolve "$KICK_HOST"
  if ! command -v openssl >/dev/null 2>&1; then printf 'TLS\t127\t\n'; return; fi
  # What the server presented, verified or not: subject and expiry for the report, and for the
  # hint when verification failed (whose certificate is it?). At the same time as the verified
  # handshake below: two handshakes for the price of one round trip to the ingest.
  timeout 15 openssl s_client -connect "$KICK_HOST:$KICK_PORT" -servername "$KICK_HOST" </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName > "$T/cert" 2>/dev/null &
  # s_client exits 0 even when verification fails: -verify_return_error makes it abort, and
  # the parser reads the Verification line too (libraries.md).
  timeout 15 openssl s_client -connect "$KICK_HOST:$KICK_PORT" -servername "$KICK_HOST" -verify_hostname "$KICK_HOST" -verify_return_error -brief </dev/null > "$T/tls" 2>&1; rc=$?
  wait
  printf 'TLS\t%s\t%s\n' "$rc" "$(b64 < "$T/tls")"
  printf 'CERT\t%s\n' "$(b64 < "$T/cert")"
}

# dlive_tcp: a TCP connection to DLive's ingest (bash's /dev/tcp: no tool needed), and how long
# it took.
dlive_tcp() {
  local s rc
  resolve "$DLIVE_HOST"
  s=$(date +%s%N)
  # The host and port reach the inner bash as its $0 and $1, not as code.
  # shellcheck disable=SC2016
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$DLIVE_HOST" "$DLIVE_PORT" 2>"$T/dlive"; rc=$?
  printf 'DLIVE\t%s\t%s\t%s\n' "$rc" "$(( ($(date +%s%N) - s) / 1000000 ))" "$(b64 < "$T/dlive")"
}

# candidate_args NAME: `args` (the caller's) set to the FFmpeg arguments of candidate NAME
# (1: NAME is no candidate).
candidate_args() {
  local i
  for i in "${!CANDIDATES[@]}"; do
    if [ "${CANDIDATES[i]}" = "$1" ]; then read -r -a args <<< "${CANDIDATE_ARGS[i]}"; return 0; fi
  done
  return 1
}

# streamer_live: whether the live streamer can tell the encoder's speed, so that no second
# encode competes with it on air. "samples": the streamer runs the settings on disk (it started
# after each of STREAMER_FILES was last written) and its publisher's two last progress samples (etat,
# written every 5 s, see orbis-diffuser) are fresh; "starting": it started less than
# LIVE_WAIT_SEC ago, its samples are coming; "none": it is not running, runs older settings, or
# stalled (then nothing is on air and the test encode may run).
streamer_live() {
  local started now newest written t times=() state=none since=0
  started=$(systemctl show -p ActiveEnterTimestamp --timestamp=unix --value -- "$STREAMER_UNIT" 2>/dev/null)
  started=${started#@}; started=${started%.*}
  now=$(date +%s)
  # The newest of the files it runs from (one missing: it cannot run the settings on disk).
  mapfile -t times < <(stat -c %Y -- "${STREAMER_FILES[@]}" 2>/dev/null)
  written=0
  for t in "${times[@]}"; do if [ "$t" -gt "$written" ]; then written=$t; fi; done
  if [ "${#times[@]}" -ne "${#STREAMER_FILES[@]}" ]; then written=$now; fi
  if systemctl is-active --quiet -- "$STREAMER_UNIT" >/dev/null 2>&1 && [ -n "$started" ] && [ "$started" -ge "$written" ]; then
    since=$((now - started))
    newest=$(sed -n '1s/^at_us=\([0-9]*\) .*/\1/p' "$STREAMER_DIR/etat" 2>/dev/null)
    if [ "$(grep -c '^at_us=' "$STREAMER_DIR/etat" 2>/dev/null)" -ge 2 ] && [ -n "$newest" ] \
      && [ $((now - newest / 1000000)) -le "$LIVE_FRESH_SEC" ]; then
      state=samples
    elif [ "$since" -lt "$LIVE_WAIT_SEC" ]; then
      state=starting
    fi
  fi
  printf 'LIVE\t%s\t%s\t%s\t%s\n' "$state" "$since" "$( [ "$state" = samples ] && b64 < "$STREAMER_DIR/etat")" "$( [ "$state" = samples ] && b64 < "$STREAMER_DIR/tour")"
  [ "$state" != none ]
}

# ffmpeg_test: the seed's null-output test, as the streamer encodes, without -re (which pins
# speed at 1x and hides the margin), as the streamer's user.
ffmpeg_test() {
  local u enc how s rc args=()
  if [ "$FFMPEG_LIVE" = 1 ] && streamer_live; then return 0; fi
  u=$FFMPEG_USER; id -u "$u" >/dev/null 2>&1 || u=nobody
  if [ -n "$ENCODER" ]; then
    enc=$ENCODER; how=configured; read -r -a args <<< "$ENCODER_ARGS"
  else
    # ENCODEUR_VIDEO=auto and no facts: the encoder the host was provisioned with (role
    # ffmpeg writes it), read as text, never sourced.
    enc=$(sed -n 's/^ENCODEUR_VIDEO=//p' "$ENCODER_ENV" 2>/dev/null | head -1); how=provisioned
    if ! candidate_args "$enc"; then
      enc=libx264; how=assumed
      candidate_args libx264 || read -r -a args <<< "${CANDIDATE_ARGS[0]:-}"
    fi
  fi
  if ! command -v ffmpeg >/dev/null 2>&1; then printf 'FFMPEG\t127\t0\t%s\t%s\t%s\t\n' "$u" "$enc" "$how"; return; fi
  s=$(date +%s%N)
  # -stream_loop: the test CID may be shorter than the media asked for.
  runuser -u "$u" -- timeout -k 5 "$FFMPEG_LIMIT" ffmpeg -hide_banner -nostdin -stream_loop -1 -i "$MEDIA_URL" -t "$MEDIA_SECONDS" \
    -vf "scale=$WIDTH:$HEIGHT:force_original_aspect_ratio=decrease,pad=$WIDTH:$HEIGHT:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p" \
    "${args[@]}" -r "$FPS" -c:a aac -b:a "${AUDIO_KBPS}k" -ar 44100 -ac 2 -f null - </dev/null >/dev/null 2>"$T/ffmpeg"; rc=$?
  printf 'FFMPEG\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rc" "$(( ($(date +%s%N) - s) / 1000000 ))" "$u" "$enc" "$how" "$(tail -c 4000 "$T/ffmpeg" | b64)"
}
