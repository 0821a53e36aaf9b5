#!/usr/bin/env bash
# scripts/kill_test.sh - the shared-memory transport against processes
# killed at random moments (Linux):
#   1. N times, a producer (h278 feed, sending bible.txt over and over for
#      a second, writing -o) is SIGKILLed 20-300 ms in; after each, a new
#      producer must be served and get the exact bytes;
#   2. N times, a server (h278 serve) is SIGKILLed 20-300 ms after such a
#      producer started; the producer must fail (not hang, not succeed),
#      and a new server of the same name must start and serve a producer.
# Afterwards nothing of the runs may be left: no segment or lock in
# /dev/shm, no temporary file beside the outputs. Prints a summary and
# exits non-zero on any failure.
#
#   bash scripts/kill_test.sh [N]   (default 20; needs build-release/)
set -u
n=${1:-20}
cd "$(dirname "$0")/.."
h278=$(realpath build-release/cli/h278)
[ -x "$h278" ] || { echo "kill_test.sh: build first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
corpora=${H278_CORPORA:-../shared/corpora}
src=$corpora/canterbury-large/bible.txt
[ -f "$src" ] || { echo "kill_test.sh: $src not found (set H278_CORPORA)" >&2; exit 2; }
work=$(mktemp -d)
name=killtest-$$
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$h278" compress "$src" -o "$work/in.h278" -B 64K || exit 2
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
pause() { sleep "0.$(printf '%03d' $((20 + RANDOM % 280)))"; } # 20-300 ms
served() { # output file: a producer that must be served
  timeout 60 "$h278" feed --name "$name" --wait 5 "$work/in.h278" -o "$1" -f 2>"$work/err" &&
    cmp -s "$src" "$1" || { fail "feed to $1: $(cat "$work/err")"; return 1; }
}
start_server() {
  "$h278" serve --name "$name" 2>>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do grep -q "ready" "$work/serve.log" 2>/dev/null && [ -e "/dev/shm/h278-$name" ] && return; sleep 0.05; done
  fail "server did not start"
}

echo "1. $n producers killed mid-feed, one server"
: > "$work/serve.log"
start_server
for i in $(seq "$n"); do
  "$h278" feed --name "$name" --wait 5 --repeat-seconds 1 "$work/in.h278" -o "$work/killed$i" -f 2>/dev/null &
  feed=$!
  pause
  kill -9 "$feed" 2>/dev/null
  wait "$feed" 2>/dev/null
  served "$work/out$i"
done
kill -0 "$server" 2>/dev/null || fail "the server died"
kill -INT "$server"
wait "$server" || fail "the server's exit status after SIGINT"
dropped=$(grep -c "died mid-session" "$work/serve.log")
echo "   sessions the server dropped because their producer died: $dropped of $n (the others: killed before attaching)"

echo "2. $n servers killed while a producer feeds them"
hung=0 succeeded=0
for i in $(seq "$n"); do
  : > "$work/serve.log"
  start_server
  timeout 30 "$h278" feed --name "$name" --wait 5 --repeat-seconds 1 "$work/in.h278" -o "$work/orphan$i" -f 2>/dev/null &
  feed=$!
  pause
  kill -9 "$server"
  wait "$server" 2>/dev/null
  wait "$feed"
  status=$?
  if [ "$status" = 124 ]; then hung=$((hung + 1)); fail "producer $i hung after its server was killed"; fi
  if [ "$status" = 0 ]; then succeeded=$((succeeded + 1)); fi
  [ "$status" != 0 ] && [ -e "$work/orphan$i" ] && fail "producer $i failed but left an output file"
done
echo "   producers that failed as they should: $((n - succeeded - hung)) of $n; hung: $hung"
[ "$succeeded" = 0 ] || fail "$succeeded producers exited 0 although their server was killed"
: > "$work/serve.log"
start_server
grep -q "stale region" "$work/serve.log" || fail "the new server did not report the killed one's region"
served "$work/last"
kill -INT "$server"
wait "$server" || fail "the last server's exit status after SIGINT"

leftovers=$(ls /dev/shm | grep -c -- "h278-$name")
[ "$leftovers" = 0 ] || fail "left in /dev/shm: $(ls /dev/shm | grep -- "h278-$name" | tr '\n' ' ')"
temps=$(ls "$work" | grep -c "tmp")
[ "$temps" = 0 ] || fail "temporary files left beside the outputs: $(ls "$work" | grep tmp | tr '\n' ' ')"
echo "kill_test.sh: $((2 * n)) kills, $failed failures"
[ "$failed" = 0 ]
