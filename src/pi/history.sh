#!/bin/bash
# shellcheck shell=bash
# What a host remembers of orbis's runs, read in ONE round trip (history.ts parses it; `orbis
# rollback` plans from it, `--list` shows it). Read only. Needs common.sh (b64, dec, unit_state,
# fingerprint).
#
# Reads: RUNS_DIR (the run records), BACKUP_DIR (each run's backups, backups.sh's layout plus
# seq, dropped/ and units/), MANIFEST, PENDING_HANDLERS.
# Prints tab-separated lines, free text in base64 (b64):
#   FINGERPRINT <hash of the records as read>
#   RECORD <record b64>                          one per run record
#   MANIFEST <manifest b64>, PENDING <pending handlers b64>   when they exist
#   BACKUP <run id> <seq>                        one per run backup, then what it holds:
#   WAS <run id> <enc path> file <mode uid gid> <sha256> | link <target b64> | absent | dropped
#   UNITWAS <run id> <unit> <UnitFileState> <ActiveState>
#   NOW <enc path> file <mode uid gid> <sha256> | link <target b64> | other | absent
#   UNITNOW <unit> <UnitFileState> <ActiveState>  ('-' for an empty value)
#   END                                          the last line: the reader refuses an answer without it
set -u
export LC_ALL=C

# state_of PATH: the NOW fields of PATH as it is.
state_of() {
  if [ -L "$1" ]; then printf 'link\t%s' "$(readlink -- "$1" | b64)"
  elif [ -f "$1" ]; then printf 'file\t%s\t%s' "$(stat -c '%a %u %g' -- "$1")" "$(sha256sum < "$1" | cut -d' ' -f1)"
  elif [ -e "$1" ]; then printf 'other'
  else printf 'absent'; fi
}

printf 'FINGERPRINT\t%s\n' "$(fingerprint)"
for f in "$RUNS_DIR"/*.json; do [ -f "$f" ] && printf 'RECORD\t%s\n' "$(b64 < "$f")"; done
if [ -r "$MANIFEST" ]; then printf 'MANIFEST\t%s\n' "$(b64 < "$MANIFEST")"; fi
if [ -r "$PENDING_HANDLERS" ]; then printf 'PENDING\t%s\n' "$(b64 < "$PENDING_HANDLERS")"; fi

# Every path and unit the backups mention, one a line, to read each once as it is now.
NL='
'
plist=
ulist=
for d in "$BACKUP_DIR"/*/; do
  [ -f "$d/seq" ] || continue
  id=$(basename -- "$d")
  printf 'BACKUP\t%s\t%s\n' "$id" "$(head -c 20 "$d/seq")"
  for x in "$d"content/* "$d"absent/* "$d"link/* "$d"dropped/*; do
    [ -e "$x" ] || continue
    e=$(basename -- "$x")
    k=$(basename -- "$(dirname -- "$x")")
    plist="$plist$e$NL"
    case "$k" in
      content) printf 'WAS\t%s\t%s\tfile\t%s\t%s\n' "$id" "$e" "$(cat -- "$d/meta/$e" 2>/dev/null)" "$(sha256sum < "$x" | cut -d' ' -f1)";;
      link) printf 'WAS\t%s\t%s\tlink\t%s\n' "$id" "$e" "$(b64 < "$x")";;
      *) printf 'WAS\t%s\t%s\t%s\n' "$id" "$e" "$k";;
    esac
  done
  for u in "$d"units/*; do
    [ -f "$u" ] || continue
    n=$(basename -- "$u")
    ulist="$ulist$n$NL"
    printf 'UNITWAS\t%s\t%s\t%s\n' "$id" "$n" "$(tr ' ' '\t' < "$u")"
  done
done
printf '%s' "$plist" | sort -u | while IFS= read -r e; do printf 'NOW\t%s\t%s\n' "$e" "$(state_of "$(dec "$e")")"; done
printf '%s' "$ulist" | sort -u | while IFS= read -r n; do printf 'UNITNOW\t%s\t%s\n' "$n" "$(unit_state "$n" | tr ' ' '\t')"; done
printf 'END\n'
