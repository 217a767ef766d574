#!/bin/bash
# shellcheck shell=bash
# shellcheck disable=SC2034 # UNITS_DIRTY is run.sh's global, read there.
# The functions a rollback script calls, one call a line (rollback-script.ts compiles a rollback
# plan into those calls). Needs common.sh, backups.sh and run.sh before it; reads their inputs.
#
# A rollback happens whole or not at all: each file's version being replaced is kept in the run's
# working directory (WORK_DIR/saved, listed in WORK_DIR/changed), and any failure before the files
# are all back and validated puts every one of them back as it was (undo_fail).

# check_fingerprint FINGERPRINT: the run records are still those the plan was made from (another
# run may have come in between, before this one got the lock).
check_fingerprint() {
  [ "$(fingerprint)" = "$1" ] || fail "the run history of this host changed since the rollback was planned (another orbis run came in between): nothing was changed, plan the rollback again"
}

SAVED="$WORK_DIR/saved"
: > "$WORK_DIR/changed"

# undo_fail MESSAGE: every file this rollback changed put back, then fail.
undo_fail() {
  local p
  while IFS= read -r p; do restore_from "$SAVED" "$p"; done < "$WORK_DIR/changed"
  fail "$1; every file was left as it was before the rollback"
}

# put_back PATH RUN ACTION VALIDATE: PATH as the backups of RUN kept it (ACTION write: a file,
# staged with its mode and owner and validated with VALIDATE, a command with %s, when not ''; any
# other ACTION: a link or an absent path). The version replaced is saved first.
put_back() {
  local f=$1 src="$BACKUP_DIR/$2" from="before run $2" t out
  t="$(dirname -- "$f")/.orbis-tmp.$(basename -- "$f")"
  snapshot "$SAVED" "$f" || fail "cannot back up $f"
  printf '%s\n' "$f" >> "$WORK_DIR/changed"
  if [ "$3" = write ]; then
    stage_from "$src" "$f" "$t" || undo_fail "cannot stage $f from the backup taken $from"
    if [ -n "$4" ] && ! out=$(validate_file "$4" "$t"); then rm -f -- "$t"; undo_fail "validation failed ($4) for $f as it was $from: $out"; fi
    mv -f -- "$t" "$f" || undo_fail "cannot move $t into place"
  else
    restore_from "$src" "$f" || undo_fail "cannot put back $f as it was $from"
  fi
  if is_unit_file "$f"; then UNITS_DIRTY=1; fi
}

# validate_put_back COMMAND: a role's files validated as a whole once they are all back (nginx -t).
validate_put_back() {
  local out
  if ! out=$(role_shell "$1" 2>&1 </dev/null); then undo_fail "validation failed ($1) with the files put back: $out"; fi
}

# rolled_back RUN BY: RUN's record says it was rolled back by BY; its backups go.
rolled_back() {
  sed -i "1s/^{\"seq\":\\([0-9]*\\),\"status\":\"[a-z-]*\",/{\"seq\":\\1,\"status\":\"rolled-back\",\"rolledBackBy\":\"$2\",/" "$RUNS_DIR/$1.json" \
    || fail "cannot mark run $1 as rolled back"
  rm -rf -- "${BACKUP_DIR:?}/$1"
}

# unit_command COMMAND UNIT: a unit brought back to its state. A unit that no longer exists (its
# package removed) is already stopped and disabled.
unit_command() {
  case "$1" in
    stop|disable)
      if [ "$(systemctl show -p LoadState --value -- "$2" 2>/dev/null)" != not-found ]; then try systemctl "$1" "$2"; fi ;;
    start|restart) clear_failed "$2"; try systemctl "$1" "$2" ;;
    *) try systemctl "$1" "$2" ;;
  esac
}
