#!/bin/bash
# shellcheck shell=bash
# Putting a public key into the login user's ~/.ssh/authorized_keys, run AS that user (so the files
# are theirs), with the modes sshd's StrictModes insists on: ~/.ssh 0700, authorized_keys 0600.
# Idempotent: a key already there (with options or another comment) is left alone.
#
# Reads: the key line on stdin (the script itself is constant), HOME.
# Prints tab-separated lines (authorized-keys.ts parses them):
#   FILE <authorized_keys path>
#   HOME_WRITABLE <mode of HOME>            when others may write to it
#   ADDED <fixed> | PRESENT <fixed>          the last line; <fixed>: the modes put right
#                                            (` ~/.ssh:0700`, ` authorized_keys:0600`)
# Exits 2 on a line that is not a key line.
set -eu
umask 077
IFS= read -r key
case "$key" in *[![:print:]]*|'') echo 'not a public key line' >&2; exit 2;; esac
blob=$(printf '%s\n' "$key" | awk '{print $2}')
d="$HOME/.ssh"
f="$d/authorized_keys"
fixed=""
if [ ! -d "$d" ]; then
  mkdir -m 700 -- "$d"
elif [ "$(stat -c %a "$d")" != 700 ]; then
  chmod 700 -- "$d"; fixed="$fixed ~/.ssh:0700"
fi
if [ ! -e "$f" ]; then : > "$f"; fi
if [ "$(stat -c %a "$f")" != 600 ]; then chmod 600 -- "$f"; fixed="$fixed authorized_keys:0600"; fi
printf 'FILE\t%s\n' "$f"
# sshd (StrictModes) ignores keys under a home others can write to: say so, do not touch it.
case "$(stat -c %A "$HOME")" in ?????w????|????????w?) printf 'HOME_WRITABLE\t%s\n' "$(stat -c %a "$HOME")";; esac
if awk -v b="$blob" '{ for (i = 1; i <= NF; i++) if ($i == b) found = 1 } END { exit !found }' "$f"; then
  printf 'PRESENT\t%s\n' "$fixed"; exit 0
fi
# A last line without its newline would swallow the key.
if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then printf '\n' >> "$f"; fi
printf '%s\n' "$key" >> "$f"
printf 'ADDED\t%s\n' "$fixed"
