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
#
# Prints:
#   listeners    SS<TAB>b64(ss -Htulnp); PROC<TAB>pid<TAB>user<TAB>b64(comm)<TAB>b64(cmdline)<TAB>b64(cgroup)
#   clock_check  VIRT<TAB>virtualisation; TIMEDATE<TAB>b64(timedatectl show)<TAB>1|0 (synchronized)
#   nginx_check  NGINXT<TAB>rc<TAB>b64(nginx -t); NGINXMOD<TAB>rc<TAB>b64(file markers, load_module lines)
#   kick_tls     RESOLVE<TAB>host<TAB>IPv4; TLS<TAB>rc<TAB>b64(s_client -brief); CERT<TAB>b64(x509 text)
#   dlive_tcp    RESOLVE<TAB>host<TAB>IPv4; DLIVE<TAB>rc<TAB>ms<TAB>b64(error)
#   ffmpeg_test  FFMPEG<TAB>rc<TAB>ms<TAB>user<TAB>encoder<TAB>how (configured|provisioned|assumed)<TAB>b64(log tail)
# A missing command gives rc 127 and an empty rest (FFMPEG still says the user, encoder and how).

# listeners: TCP and UDP listeners with their processes; then, per process, who it is: its name,
# command line and cgroup (the systemd unit that owns it, even when its name says python3).
listeners() {
  local pid
  ss -Htulnp > "$T/ss" 2>&1
  printf 'SS\t%s\n' "$(b64 < "$T/ss")"
  while read -r pid; do
    printf 'PROC\t%s\t%s\t%s\t%s\t%s\n' "$pid" "$(stat -c %U "/proc/$pid" 2>/dev/null)" "$(tr -d '\n' < "/proc/$pid/comm" 2>/dev/null | b64)" "$(head -c 300 "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ' | b64)" "$(b64 < "/proc/$pid/cgroup" 2>/dev/null)"
  done < <(grep -o 'pid=[0-9]*' "$T/ss" | cut -d= -f2 | sort -un)
}

# clock_check: what the clock check needs (a container keeps its host's clock).
clock_check() {
  local v
  v=$(systemd-detect-virt 2>/dev/null); printf 'VIRT\t%s\n' "${v:-none}"
  printf 'TIMEDATE\t%s\t%s\n' "$(timedatectl show 2>&1 | b64)" "$([ -e /run/systemd/timesync/synchronized ] && echo 1 || echo 0)"
}

# nginx_check: the configuration test, and which files and modules nginx loads.
nginx_check() {
  local rc
  if ! command -v nginx >/dev/null 2>&1; then printf 'NGINXT\t127\t\n'; return; fi
  # nginx resolves push hosts while testing: bounded, like every step that may wait on DNS.
  timeout 20 nginx -t > "$T/nginx-t" 2>&1; printf 'NGINXT\t%s\t%s\n' "$?" "$(tail -c 4000 "$T/nginx-t" | b64)"
  # Only the file markers and load_module lines leave the host: the rest of `nginx -T` holds
  # the push URLs, stream keys included.
  timeout 20 nginx -T 2>/dev/null | grep -E '^# configuration file |load_module' > "$T/nginx-mods"; rc=${PIPESTATUS[0]}
  printf 'NGINXMOD\t%s\t%s\n' "$rc" "$(b64 < "$T/nginx-mods")"
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
  # s_client exits 0 even when verification fails: -verify_return_error makes it abort, and
  # the parser reads the Verification line too (libraries.md).
  timeout 15 openssl s_client -connect "$KICK_HOST:$KICK_PORT" -servername "$KICK_HOST" -verify_hostname "$KICK_HOST" -verify_return_error -brief </dev/null > "$T/tls" 2>&1; rc=$?
  printf 'TLS\t%s\t%s\n' "$rc" "$(b64 < "$T/tls")"
  # What the server presented, verified or not: subject and expiry for the report, and for
  # the hint when verification failed (whose certificate is it?).
  timeout 15 openssl s_client -connect "$KICK_HOST:$KICK_PORT" -servername "$KICK_HOST" </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName > "$T/cert" 2>/dev/null
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

# ffmpeg_test: the seed's null-output test, as the streamer encodes, without -re (which pins
# speed at 1x and hides the margin), as the streamer's user.
ffmpeg_test() {
  local u enc how s rc args=()
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
