#!/usr/bin/env bash
# scripts/serve_feed.sh - one decode session through shared memory: starts
# `h278 serve --once --json`, waits until it is ready, runs `h278 feed`
# against it and waits for both. The benchmark job uses it for the decode
# threads sweep and, under hyperfine, for the whole feed -> serve pipeline.
#
#   bash scripts/serve_feed.sh H278 DECODER THREADS JSON_OUT -- FEED_ARGS...
#
# JSON_OUT gets the server's JSON summary (one line). The exit status is 0
# only if both processes succeeded. Every wait is bounded: the server must
# be ready within 10 s, and each process is killed after H278_SESSION_LIMIT
# seconds (default 120). Readiness is read from the server's "ready" line
# through a FIFO, so no polling delay is added to what hyperfine times.
set -u
if [ $# -lt 6 ] || [ "$5" != -- ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
h278=$1 decoder=$2 threads=$3 json=$4
shift 5
limit=${H278_SESSION_LIMIT:-120}
name="h278-bench-$$-$RANDOM"
tmp=$(mktemp -d)
fifo="$tmp/stderr"
mkfifo "$fifo"
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  exec 3<&- 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

timeout "$limit" "$h278" serve --name "$name" --threads "$threads" --decoder "$decoder" --once --json \
  >"$json" 2>"$fifo" &
serve_pid=$!
exec 3<"$fifo"
# The server's stderr, line by line, until it says "ready" (10 s at most).
ready= first= deadline=$((SECONDS + 10))
while [ -z "$ready" ] && [ "$SECONDS" -lt "$deadline" ] && IFS= read -r -t 10 line <&3; do
  case "$line" in *ready*) ready=1 ;; *) first=${first:-$line} ;; esac
done
if [ -z "$ready" ]; then
  echo "serve_feed.sh: the server did not start: ${first:-no answer within 10 s}" >&2
  exit 1
fi
# Drain the rest of its stderr while it runs, so it can never block on a full pipe.
cat <&3 >"$tmp/serve.err" &
drain_pid=$!

timeout "$limit" "$h278" feed --name "$name" "$@" 2>"$tmp/feed.err"
feed_rc=$?
# A feed that failed may never have attached: stop the server then.
[ "$feed_rc" = 0 ] || kill "$serve_pid" 2>/dev/null
wait "$serve_pid"
serve_rc=$?
serve_pid=
wait "$drain_pid"
if [ "$feed_rc" != 0 ] || [ "$serve_rc" != 0 ]; then
  echo "serve_feed.sh: feed exited $feed_rc, serve exited $serve_rc (decoder $decoder, $threads threads):" >&2
  head -n 3 "$tmp/feed.err" "$tmp/serve.err" >&2
  exit 1
fi
exit 0
