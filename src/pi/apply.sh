#!/bin/bash
# shellcheck shell=bash
# shellcheck disable=SC2034 # UNITS_DIRTY, STEP and BG_PID are run.sh's globals, read there.
# The functions an apply script calls, one call a line (apply-script.ts compiles a plan into those
# calls). Needs common.sh, backups.sh, apt.sh and run.sh before it. Reads, besides run.sh's inputs:
# PENDING_HANDLERS, MANIFEST, UNVALIDATED_DIR (state.ts), APT_OPTS (apt.sh), APT_INSTALL and
# APT_REMOVE (arrays: the run's packages, all in one apt call). Writes events like run.sh.
#
# File contents travel base64-encoded on the stdin of `write_file` (a heredoc in the script, which
# itself arrives on stdin, never argv), are staged with umask 077, checked, validated, backed up,
# then renamed into place.

# The Nth call of `step N` is the plan's change N; `step apt`, `step handlers`, `step record` and
# `step validate:<role>` are the others.

# --- Starts and restarts a run makes needless ------------------------------------------------
# A restart handler exists so that a unit takes in what changed; a unit this run started from
# inactive, or restarted, AFTER the last change that notified the handler has taken it in already.
# On a first provision that is every daemon orbis starts itself (btfs: a second start waits for its
# gateway again, seconds). FRESH[unit]: the step that (re)started it; NOTIFIED[handler]: the last
# step that notified it (-1: the apt step). A handler pending from an earlier run is never skipped.
#
# A unit that is PartOf= another (the streamer, PartOf nginx) is restarted by systemd whenever that
# one restarts: started in its role's step, then restarted by the other's restart handler 50 ms
# later, its publisher leaves a fragment of a stream at the platforms and its unit a false failure.
# So a start of such a unit waits for the handlers when a restart handler of the unit it is part
# of is to run in this run (RESTARTING); a restart handler marks the active units it restarted by
# propagation as fresh after every change (1000000: past the 999999 of a handler pending from an
# earlier run), so their own restart handler is not run a second time.
declare -A FRESH=() NOTIFIED=() RESTARTING=()
DEFERRED=()

# restarting UNIT...: the units a restart handler of this run restarts.
restarting() { local u; for u; do RESTARTING[$u]=1; done; }
# notified STEP NAME...: the handlers the change of STEP notifies (recorded as pending first).
notified() { local s=$1 n; shift; pend "$@"; for n; do NOTIFIED[$n]=$s; done; }
mark_fresh() { if [ "$2" = restart ] || ! systemctl is-active --quiet -- "$1" 2>/dev/null; then FRESH[$1]=$3; fi; }
defer_start() {
  local u
  [ "${#RESTARTING[@]}" -gt 0 ] || return 1
  systemctl is-active --quiet -- "$1" 2>/dev/null && return 1
  for u in $(systemctl show -p PartOf --value -- "$1" 2>/dev/null); do
    if [ -n "${RESTARTING[$u]:-}" ]; then DEFERRED+=("$1"); return 0; fi
  done
  return 1
}
mark_propagated() {
  local u
  for u in $(systemctl show -p ConsistsOf --value -- "$1" 2>/dev/null); do
    if systemctl is-active --quiet -- "$u" 2>/dev/null; then FRESH[$u]=1000000; fi
  done
}
# restart_handler NAME UNIT: the restart, unless the unit took in every change that notified NAME.
# Still reported as run either way: the unit runs with what changed, as the handler would have made it.
restart_handler() {
  if [ "${FRESH[$2]:--2}" -le "${NOTIFIED[$1]:-999999}" ]; then
    run_handler restart "$2"
    mark_propagated "$2"
  fi
}
# start_deferred: the starts held back until the units they are part of have restarted.
start_deferred() {
  local u
  for u in "${DEFERRED[@]}"; do
    if ! systemctl is-active --quiet -- "$u"; then clear_failed "$u"; try systemctl start "$u"; fi
  done
}

# unit_action VERB UNIT STEP KEEP: systemctl VERB UNIT as a change asks; KEEP=1 keeps the unit's
# state first (verbs that change it), so that the run can be undone.
unit_action() {
  reload_units
  if [ "$4" = 1 ]; then unit_snapshot "$2"; fi
  case "$1" in
    start|restart) mark_fresh "$2" "$1" "$3"; clear_failed "$2" ;;
  esac
  # A start that a restart handler of this run would undo waits for the handlers (defer_start).
  if [ "$1" = start ]; then
    defer_start "$2" || try systemctl start "$2"
  else
    try systemctl "$1" "$2"
  fi
}

# --- Files ---------------------------------------------------------------------------------

# write_file PATH MODE OWNER GROUP PREVIOUS SHA256 VALIDATE UNVALIDATED, the content base64 on stdin.
# PREVIOUS: the sha256 the plan saw ('absent' for none), or '*' not to check it (a file absent at
# plan time may come with a package this run installs: nginx.conf with nginx; that is no change
# behind the plan's back, and the package's version is backed up as usual). VALIDATE: a command
# with %s, run on the staged file, or ''. UNVALIDATED: the role's list of files validated as a whole
# (the file is noted there BEFORE it goes live, so that a run cut before the role's validation
# leaves a note the next run finds: it validates these files again first), or ''.
write_file() {
  local f=$1 tmp out
  tmp="$(dirname -- "$f")/.orbis-tmp.$(basename -- "$f")"
  # The plan was made from facts; if the file changed since (a hand edit, another run), stop.
  if [ "$5" != '*' ] && [ "$(hash_of "$f")" != "$5" ]; then fail "$f changed on the host since the plan was made; run again"; fi
  # Parent directories a role did not declare get the usual 0755, not the script's umask 077.
  (umask 022; mkdir -p -- "$(dirname -- "$f")") || fail "cannot create $(dirname -- "$f")"
  base64 -d > "$tmp" || fail "cannot write $tmp"
  if [ "$(hash_of "$tmp")" != "$6" ]; then rm -f "$tmp"; fail "content of $f arrived corrupted"; fi
  try chown "$3:$4" "$tmp"
  try chmod "$2" "$tmp"
  if [ -n "$7" ] && ! out=$(validate_file "$7" "$tmp"); then rm -f "$tmp"; fail "validation failed ($7), the previous file is untouched: $out"; fi
  # Always kept during the run (a failed validation puts it back); `backup: false` drops it at the end.
  backup "$f"
  if [ -n "$8" ]; then printf '%s\t%s\n' "$RUN_ID" "$f" >> "$8"; fi
  mv -f -- "$tmp" "$f" || fail "cannot move $tmp into place"
  if is_unit_file "$f"; then UNITS_DIRTY=1; fi
}

# remove_path PATH: removed, kept in the backups first.
remove_path() { backup "$1"; try rm -rf -- "$1"; if is_unit_file "$1"; then UNITS_DIRTY=1; fi; }

# drop_unkept PATH: `backup: false`, the replaced content is not kept past the run (the path still is).
drop_unkept() {
  local e d="$BACKUP_DIR/$RUN_ID"
  e=$(enc "$1")
  if [ -f "$d/content/$e" ]; then
    rm -f -- "$d/content/$e" "$d/meta/$e"
    mkdir -p "$d/dropped" && : > "$d/dropped/$e"
  fi
}

# restore_unvalidated LIST: each file a list of unvalidated writes names, back from the backups of
# the run that wrote it.
restore_unvalidated() {
  local run w
  while IFS=$'\t' read -r run w; do
    [ -n "$w" ] || continue
    restore_from "$BACKUP_DIR/$run" "$w" || fail "$w could not be put back (run $run kept no copy of it)"
  done < "$1"
}

# validate_listed ROLE EARLIER COMMAND...: each COMMAND must pass on ROLE's files as a whole; the
# first that fails puts back every file the role's unvalidated list names, and fails the run. The
# list goes once they pass. EARLIER=1: the files were written by an earlier, cut run.
validate_listed() {
  local role=$1 earlier=$2 list="$UNVALIDATED_DIR/$1" c out
  shift 2
  for c; do
    if ! out=$(role_shell "$c" 2>&1 </dev/null); then
      restore_unvalidated "$list"; rm -f "$list"
      if [ "$earlier" = 1 ]; then fail "files an earlier run wrote for $role and never validated fail validation ($c); the previous ones were put back: $out"; fi
      fail "validation failed ($c); the previous files were restored: $out"
    fi
  done
  rm -f "$list"
}

# validate_role ROLE COMMAND...: after the last change of a role, its files validated as a whole
# (e.g. `nginx -t` reads every include); on failure every file the role wrote in this run is put back.
validate_role() { validate_listed "$1" 0 "${@:2}"; }

# revalidate ROLE COMMAND...: what an earlier, cut run wrote for ROLE and never validated, validated
# first (before apt can restart anything); the previous files put back if it fails.
revalidate() { if [ -s "$UNVALIDATED_DIR/$1" ]; then validate_listed "$1" 1 "${@:2}"; else rm -f "$UNVALIDATED_DIR/$1"; fi; }

# --- Users, commands ------------------------------------------------------------------------
# ensure_group NAME [--system]
ensure_group() { getent group "$1" >/dev/null || try groupadd "${@:2}" "$1"; }
# ensure_user NAME USERADD-OPTION...
ensure_user() { id -u "$1" >/dev/null 2>&1 || try useradd "${@:2}" "$1"; }

# run_command USER CREATES UNLESS COMMAND: a role's command (as USER, or root for ''), unless
# CREATES exists or UNLESS holds. The guards are checked again here: the facts may be a few seconds old.
run_command() {
  if [ -n "$2" ] && [ -e "$2" ]; then return 0; fi
  if [ -n "$3" ] && role_shell "$3" >/dev/null 2>&1 </dev/null; then return 0; fi
  if [ -n "$1" ]; then try runuser -u "$1" -- bash -c "$4"; else try bash -c "$4"; fi
}

# --- Downloads ------------------------------------------------------------------------------
# release_member DIR NAMES: the executable in a release as it was downloaded to DIR/download,
# whatever go-btfs's package.sh made of it (told by content, not by the URL): a raw binary is
# itself; a tar, plain (package.sh's `tar -cvf`) or gzipped, is extracted and the first of the
# NAMES (space-separated) that it holds at its top is the one. When the tar also holds
# package.sh's `config_<os>_<arch>.yaml`, the member's md5 must be the `md5:` it states (the
# checksum go-btfs ships beside its binary). Prints the path, or the reason it cannot (exit 1).
release_member() {
  local dir=$1 names=$2 magic name found='' listed yaml want got
  magic=$(head -c 4 -- "$dir/download" | od -An -tx1 | tr -d ' \n')
  case $magic in
    7f454c46) printf '%s\n' "$dir/download"; return 0 ;;
    1f8b*) ;;
    *) if [ "$(tail -c +258 -- "$dir/download" | head -c 5)" != ustar ]; then
         echo "the download is neither an executable nor a tar archive (it starts with $magic): check the URL"; return 1
       fi ;;
  esac
  if ! listed=$(tar -tf "$dir/download" 2>&1); then echo "cannot read the downloaded archive: $listed"; return 1; fi
  for name in $names; do
    if grep -qxF -e "$name" -e "./$name" <<< "$listed"; then found=$name; break; fi
  done
  if [ -z "$found" ]; then
    echo "the archive holds none of: $names (it holds: $(tr '\n' ' ' <<< "$listed")); set BTFS_MEMBRE_ARCHIVE to the executable's name"; return 1
  fi
  if ! { mkdir -p -- "$dir/x" && tar -xf "$dir/download" -C "$dir/x" 2>/dev/null; }; then echo "cannot extract the downloaded archive"; return 1; fi
  yaml=$(find "$dir/x" -maxdepth 1 -name 'config_*_*.yaml' -print -quit)
  if [ -n "$yaml" ]; then
    want=$(sed -n 's/^md5:[[:space:]]*\([0-9a-fA-F]\{32\}\)[[:space:]]*$/\1/p' "$yaml" | tr 'A-F' 'a-f')
    got=$(md5sum < "$dir/x/$found" | cut -d' ' -f1)
    if [ -n "$want" ] && [ "$want" != "$got" ]; then
      echo "$found in the archive has md5 $got, not the $want its $(basename "$yaml") states: a damaged or altered release"; return 1
    fi
  fi
  printf '%s\n' "$dir/x/$found"
}

# download URL SHA256 NAMES PATH MODE OWNER GROUP: the file at URL, checked against SHA256, installed
# as PATH (NAMES: the executable's names in a release archive, '' to install the download itself).
download() {
  local url=$1 sha=$2 names=$3 path=$4 d got src tmp
  tmp="$(dirname -- "$path")/.orbis-tmp.$(basename -- "$path")"
  d=$(mktemp -d) || fail "cannot make a temp dir"
  try curl -fsSL --retry 3 --connect-timeout 20 -o "$d/download" "$url"
  got=$(sha256sum < "$d/download" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then rm -rf "$d"; fail "checksum mismatch for $url: expected $sha, got $got (the file was not installed)"; fi
  if [ -n "$names" ]; then
    src=$(release_member "$d" "$names") || { rm -rf "$d"; fail "$src"; }
  else
    src="$d/download"
  fi
  (umask 022; mkdir -p -- "$(dirname -- "$path")") || fail "cannot create $(dirname -- "$path")"
  try install -m "$5" -o "$6" -g "$7" "$src" "$tmp"
  backup "$path"
  mv -f -- "$tmp" "$path" || fail "cannot install $path"
  rm -rf "$d"
}

# --- apt ------------------------------------------------------------------------------------
# dpkg_interrupted OUTPUT: a dpkg killed halfway (a run cut mid-install, a power cut) leaves its
# journal, and apt refuses everything until `dpkg --configure -a` has finished it. Then apt is
# tried once more.
dpkg_interrupted() { case $1 in *'dpkg was interrupted'*) return 0 ;; esac; return 1; }
finish_dpkg() { try dpkg --force-confdef --force-confold --configure -a; }

# apt_step: the run's packages (APT_INSTALL, APT_REMOVE), as the `apt` step.
apt_step() {
  local out
  step apt
  if [ "${#APT_INSTALL[@]}" -gt 0 ]; then
    # Refresh the package lists when there are none or they are more than a day old, and once
    # more if apt cannot find a package (lists from before a package was published).
    if apt_lists_stale; then try apt-get update -q; fi
    if ! out=$(apt_get install "${APT_INSTALL[@]}" 2>&1 </dev/null); then
      if dpkg_interrupted "$out"; then finish_dpkg; else try apt-get update -q; fi
      try apt_get install "${APT_INSTALL[@]}"
    fi
  fi
  if [ "${#APT_REMOVE[@]}" -gt 0 ]; then
    if ! out=$(apt_get remove "${APT_REMOVE[@]}" 2>&1 </dev/null); then
      if dpkg_interrupted "$out"; then finish_dpkg; else fail "$out"; fi
      try apt_get remove "${APT_REMOVE[@]}"
    fi
  fi
  ok
}

# apt_background: apt in the background while the changes of the roles that need nothing it
# installs run. The background reports its failure through a file (its own `fail`); apt_wait
# reports it as the apt step's once the foreground is done. A failure in the foreground waits for
# apt first (run.sh's `fail`): the run's unit ending would kill dpkg halfway.
apt_background() {
  (
    fail() { printf '%s' "$1" > "$WORK_DIR/apt-failed"; exit 1; }
    apt_step
  ) &
  BG_PID=$!
}
apt_wait() {
  step apt-wait
  if ! wait "$BG_PID"; then BG_PID=; STEP=apt; fail "$(cat -- "$WORK_DIR/apt-failed" 2>/dev/null)"; fi
  BG_PID=
  ok
}
