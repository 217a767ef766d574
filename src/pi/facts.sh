#!/bin/bash
# shellcheck shell=bash
# The facts probe: everything the plan needs to know about a host, in ONE round trip (facts/probe.ts
# composes it after common.sh and parses what it prints). Run as root.
#
# Reads:
#   MANIFEST, PENDING_HANDLERS, UNVALIDATED_DIR  orbis's own state (state.ts)
#   ENCODERS_CACHE     where FFmpeg's encoder list is kept between runs
#   UNIT_PROPERTIES    the systemctl properties of a unit, comma-separated
#   MAX_CONTENT_BYTES  larger files are reported by hash only
#   PACKAGES, UNITS, PATHS, CONTENTS, USER_NAMES, GROUP_NAMES  (arrays) what to ask about
#                      (not USERS, GROUPS: bash's GROUPS is its own, an assignment to it is lost)
#   GUARDS             (array) `unless` guards and preconditions' checks: shell commands, run as
#                      root; their exit status goes back, and what they printed when they fail
#   GUARD_IDS          (array) each guard's text in base64, as the GUARD line names it (encoded
#                      by the controller: a base64 process per guard costs ~8 ms on a small host)
# Prints tagged, tab-separated lines, free text base64-encoded:
#   OS id version_id codename b64(pretty_name) | ARCH arch | KERNEL release | HOSTNAME name
#   UID euid | MODEL b64(Pi model) | V4L2 1 | ENCODER name
#   MANIFEST b64(manifest.json) | PENDING b64(pending handlers) | UNVALIDATED role b64(list)
#   PKG name status-abbrev version | UNIT prop=value...
#   PATH path file|directory mode owner group size sha256|- | PATH path link - - - - - b64(target)
#   PATH path other | PATH path absent
#   CONTENT path b64(content) | PASSWD passwd-entry | MEMBER user groups | GROUP name gid
#   GUARD b64(command) 1|0 b64(what it printed, when it failed)
#
# Why a hand-written line format rather than JSON built in bash: bash has no JSON encoder, and
# every value printed is either a token without tabs/newlines or is base64-encoded.
#
# Every process the probe starts costs a few ms on a Pi: bash builtins and variables where they
# do, base64 straight to the output instead of through $(...), one command per kind of question
# rather than one per path, user or group.

set -u
export LC_ALL=C
declare -A size=()

# os-release is sourced in a subshell: its values never leak into ours.
# shellcheck source=/dev/null
( . /etc/os-release 2>/dev/null; printf 'OS\t%s\t%s\t%s\t' "${ID:-}" "${VERSION_ID:-}" "${VERSION_CODENAME:-}"; printf %s "${PRETTY_NAME:-}" | b64; echo )
printf 'ARCH\t%s\n' "$(dpkg --print-architecture 2>/dev/null || uname -m)"
read -r kernel < /proc/sys/kernel/osrelease; printf 'KERNEL\t%s\nHOSTNAME\t%s\nUID\t%s\n' "$kernel" "$HOSTNAME" "$EUID"
if [ -r /proc/device-tree/model ]; then printf 'MODEL\t'; tr -d '\0' < /proc/device-tree/model | b64; echo; fi
if [ -e /dev/video11 ]; then printf 'V4L2\t1\n'; fi

# FFmpeg's H.264 encoders. Starting ffmpeg costs more than the whole rest of the probe (about
# 130 ms on a lab host, more on a Pi), so the answer is kept in ENCODERS_CACHE under a key that
# changes whenever the answer can: the ffmpeg binary (device, inode, size, mtime), the package
# database (any apt/dpkg change) and the dynamic linker's cache (new libraries). The cache is only
# written once orbis's state directory exists (after a first apply), and never holds an empty
# answer.
if f=$(command -v ffmpeg 2>/dev/null); then c=$ENCODERS_CACHE
  k=$(stat -L -c '%d:%i:%s:%Y' -- "$f" /var/lib/dpkg/status /etc/ld.so.cache 2>/dev/null | tr '\n' ' ')
  if [ -f "$c" ] && { IFS= read -r h < "$c"; [ "$h" = "$k" ]; }; then tail -n +2 "$c"
  else e=$(ffmpeg -hide_banner -encoders 2>/dev/null | awk '$2 ~ /264/ {print "ENCODER\t" $2}'); [ -z "$e" ] || printf '%s\n' "$e"
    if [ -n "$e" ] && [ -d "${c%/*}" ]; then printf '%s\n%s\n' "$k" "$e" > "$c.tmp" && mv -f "$c.tmp" "$c"; fi
  fi
fi

if [ -r "$MANIFEST" ]; then printf 'MANIFEST\t'; b64 < "$MANIFEST"; echo
  # orbis's own files are hashed with the rest, so that one no role renders any more (stale)
  # and edited by hand since is told apart from one as orbis left it (plan.ts). Their names are
  # the manifest's second-level keys, one per line as write_manifest lays it out.
  declare -A asked=(); for p in "${PATHS[@]}"; do asked[$p]=1; done
  while IFS= read -r p; do [ -n "${asked[$p]:-}" ] || PATHS+=("$p"); done < <(sed -n 's/^  "\(\/[^"]*\)": {$/\1/p' "$MANIFEST")
fi
if [ -r "$PENDING_HANDLERS" ]; then printf 'PENDING\t'; b64 < "$PENDING_HANDLERS"; echo; fi
for u in "$UNVALIDATED_DIR"/*; do if [ -r "$u" ]; then printf 'UNVALIDATED\t%s\t' "${u##*/}"; b64 < "$u"; echo; fi; done 2>/dev/null

if [ ${#PACKAGES[@]} -gt 0 ]; then
  # Status abbreviation "ii " means installed; anything else (rc, un) is not.
  # shellcheck disable=SC2016 # ${Package} and the others are dpkg-query's fields, not bash's
  dpkg-query -W -f='PKG\t${Package}\t${db:Status-Abbrev}\t${Version}\n' "${PACKAGES[@]}" 2>/dev/null || true
fi

if [ ${#UNITS[@]} -gt 0 ]; then
  systemctl show --no-pager -p "$UNIT_PROPERTIES" -- "${UNITS[@]}" 2>/dev/null | awk 'BEGIN{RS=""; FS="\n"} {line="UNIT"; for (i=1;i<=NF;i++) line=line "\t" $i; print line}'
fi

# stat and hash of every path: the paths are sorted by kind with bash tests, then ONE stat for the
# directories, ONE stat and ONE sha256sum for the files (joined by name, never by position: a file
# that vanished in between must not shift the others' hashes). Links and other kinds are rare and
# printed one by one. `size` keeps each file's size for the CONTENT step.
if [ ${#PATHS[@]} -gt 0 ]; then
  declare -A sum=(); files=(); dirs=()
  for p in "${PATHS[@]}"; do
    if [ -L "$p" ]; then printf 'PATH\t%s\tlink\t-\t-\t-\t-\t-\t' "$p"; readlink -- "$p" | tr -d '\n' | b64; echo;
    elif [ -f "$p" ]; then files+=("$p");
    elif [ -d "$p" ]; then dirs+=("$p");
    elif [ -e "$p" ]; then printf 'PATH\t%s\tother\n' "$p";
    else printf 'PATH\t%s\tabsent\n' "$p"; fi
  done
  if [ ${#dirs[@]} -gt 0 ]; then stat --printf 'PATH\t%n\tdirectory\t%a\t%U\t%G\t%s\t-\n' -- "${dirs[@]}" 2>/dev/null; fi
  if [ ${#files[@]} -gt 0 ]; then
    # sha256sum prints "HASH  NAME": 64 hex digits, 2 spaces, the name (a name with a backslash or
    # newline comes escaped and matches no file: that file is then reported without a hash, which
    # only costs a rewrite).
    while IFS= read -r l; do sum[${l:66}]=${l:0:64}; done < <(sha256sum -- "${files[@]}" 2>/dev/null)
    while IFS=$'\t' read -r p m o g s; do size[$p]=$s; printf 'PATH\t%s\tfile\t%s\t%s\t%s\t%s\t%s\n' "$p" "$m" "$o" "$g" "$s" "${sum[$p]:--}"; done < <(stat --printf '%n\t%a\t%U\t%G\t%s\n' -- "${files[@]}" 2>/dev/null)
  fi
fi

# Contents, for diffs in check mode: small files only. The size is known when the path was asked
# about too; otherwise ask stat.
for p in "${CONTENTS[@]}"; do
  if [ -f "$p" ] && [ "${size[$p]:-$(stat -c %s -- "$p")}" -le "$MAX_CONTENT_BYTES" ]; then printf 'CONTENT\t%s\t' "$p"; b64 < "$p"; echo; fi
done

if [ ${#USER_NAMES[@]} -gt 0 ]; then
  # getent: the passwd entries of those that exist; id: their groups (as NSS says, like login).
  while IFS= read -r e; do printf 'PASSWD\t%s\nMEMBER\t%s\t' "$e" "${e%%:*}"; id -Gn -- "${e%%:*}" 2>/dev/null || echo; done < <(getent passwd "${USER_NAMES[@]}")
fi

if [ ${#GROUP_NAMES[@]} -gt 0 ]; then
  while IFS=: read -r n _ gid _; do printf 'GROUP\t%s\t%s\n' "$n" "$gid"; done < <(getent group "${GROUP_NAMES[@]}")
fi

# Each guard in a subshell (a fork, not a new bash: processes are what a probe costs on a Pi), as
# root, its errors and stdin away, with this probe's `set -u`. What it printed goes back only when
# it did not hold (a precondition explaining itself), at most 400 bytes on one line; nothing to
# encode (most guards hold) starts no process.
for i in "${!GUARDS[@]}"; do
  if said=$(eval "${GUARDS[$i]}" 2>/dev/null </dev/null); then r=1; said=; else r=0; fi
  printf 'GUARD\t%s\t%s\t' "${GUARD_IDS[$i]}" "$r"
  if [ -n "$said" ]; then printf %s "${said:0:400}" | tr -d '\000-\037' | b64; fi; echo
done
