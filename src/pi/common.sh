#!/bin/bash
# shellcheck shell=bash
# Functions every Pi-side script may use (composed first, see scripts.ts). Reads nothing, prints
# nothing by itself.

# b64: stdin as one line of base64 (how free text travels in the tagged lines orbis reads back).
b64() { base64 -w0; }

# enc PATH: a path as a file name, % as %25 and / as %2F (the backups' names; script-lib.ts's
# encodePath does the same in TypeScript).
enc() { printf '%s' "$1" | sed 's/%/%25/g; s|/|%2F|g'; }

# dec NAME: the path a name from `enc` stands for.
dec() { printf '%b' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/%/\\x/g')"; }

# unit_state UNIT: "<UnitFileState> <ActiveState>", '-' for an empty value (a unit that does not
# exist), as run backups keep it and the history reads it.
unit_state() {
  local e a
  e=$(systemctl show -p UnitFileState --value -- "$1" 2>/dev/null)
  a=$(systemctl show -p ActiveState --value -- "$1" 2>/dev/null)
  printf '%s %s' "${e:--}" "${a:--}"
}

# fingerprint: one hash of every run record on the host (RUNS_DIR). A rollback is planned from the
# records and refuses to go on, under the lock, when another run changed them meanwhile.
fingerprint() { cat "$RUNS_DIR"/*.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
