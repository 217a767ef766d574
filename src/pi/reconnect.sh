#!/bin/bash
# shellcheck shell=bash
# `orbis reconnect`'s drop (src/status/reconnect.ts composes it after common.sh and observe.sh):
# nginx-rtmp's control module drops a platform's push, by client id (read from /stat by the
# controller), on the root-only control socket; nginx-rtmp then reconnects it (push_reconnect) on
# its own. Nothing else is touched: not the publisher, not another push.
#
# Reads:
#   CONTROL_SOCKET  nginx's control socket (templates/nginx-rtmp/nginx.conf.hbs)
#   APPLICATION     the RTMP application, URL-encoded
#   CLIENT_IDS      the pushes to drop (array of nginx client ids)
#
# Prints:
#   NOSOCKET                        the socket is missing (a Pi provisioned by an older orbis)
#   DROP<TAB>id<TAB>curl rc<TAB>b64(answer, 200 bytes at most: how many sessions nginx dropped)

# drop_pushes: one drop request per client id.
drop_pushes() {
  local id n
  if [ ! -S "$CONTROL_SOCKET" ]; then printf 'NOSOCKET\n'; return; fi
  for id in "${CLIENT_IDS[@]}"; do
    n=$(curl -sS --max-time 5 --unix-socket "$CONTROL_SOCKET" "http://localhost/control/drop/subscriber?app=$APPLICATION&clientid=$id" 2>&1); printf 'DROP\t%s\t%s\t%s\n' "$id" "$?" "$(printf '%s' "$n" | head -c 200 | b64)"
  done
}
