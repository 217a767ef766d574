#!/bin/bash
# shellcheck shell=bash
# apt as orbis runs it, one way for the apply script and the bench's apt-get baseline.
# Reads: APT_OPTS (array: apt-get's options, apply-script.ts APT_OPTIONS). Prints what apt prints.

# apt_lists_stale: true when the host has no package lists, or only lists more than a day old.
apt_lists_stale() { [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 -print -quit 2>/dev/null)" ]; }

# apt_get VERB PACKAGE...: apt-get with orbis's options (no prompts, the package's configuration
# files kept, no recommends, waiting up to 5 min for another dpkg).
apt_get() { local verb=$1; shift; apt-get "$verb" "${APT_OPTS[@]}" "$@"; }
