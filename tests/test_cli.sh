#!/usr/bin/env bash
# test_cli.sh - the h278 command line behaves as scripts expect: round trips,
# default names, stdin/stdout, no overwrite without -f, devices and pipes
# written straight to, no partial output on failure, damaged files named by
# block, --help everywhere, exit statuses.
#
#   bash tests/test_cli.sh PATH/TO/h278 CORPORA_DIR
set -u
h278=$(realpath "$1")
corpora=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0 failed=0

check() { # description, command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
fails() { # description, command... (must exit non-zero)
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then failed=$((failed + 1)); echo "FAILED (should fail): $what"; else passed=$((passed + 1)); fi
}
stderr_has() { # description, pattern, command...
  local what=$1 pattern=$2; shift 2
  if "$@" 2>err.txt >/dev/null; then failed=$((failed + 1)); echo "FAILED (should fail): $what"; return; fi
  if grep -q -- "$pattern" err.txt; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what: stderr was: $(cat err.txt)"; fi
}

cp "$corpora/canterbury/alice29.txt" "$corpora/canterbury/kennedy.xls" .
cp "$corpora/canterbury-artificial/a.txt" .

# Round trips with default names and several settings.
check "compress default name" "$h278" compress alice29.txt
check "output exists" test -s alice29.txt.h278
mv alice29.txt orig.txt
check "decompress default name" "$h278" decompress alice29.txt.h278
check "round trip" cmp alice29.txt orig.txt
for opts in "-L 8 -K 1" "-L 15 -K 8 -B 4K" "-L 20 -K 32 --interleaved" "--max-len=12 --streams=16 --block-size=1M"; do
  # shellcheck disable=SC2086
  check "compress $opts" "$h278" compress kennedy.xls -o k.h278 -f $opts
  check "decompress ($opts)" "$h278" decompress k.h278 -o k.out -f
  check "round trip ($opts)" cmp k.out kennedy.xls
done
# 32 segmented streams: spread segments, format version 2 (FORMAT.md);
# other layouts stay version 1. Every decoder reads both.
check "compress -K 32" "$h278" compress kennedy.xls -o k32.h278 -f -K 32
check "K=32 is version 2, spread" sh -c "'$h278' info k32.h278 | grep -q 'format version 2' && '$h278' info k32.h278 | grep -q ' spread '"
check "K=4 is version 1" sh -c "'$h278' compress kennedy.xls -o k4.h278 -f && '$h278' info k4.h278 | grep -q 'format version 1'"
for d in $("$h278" decompress --list-decoders | awk '{print $1}' | grep -v '^pivot'); do
  check "decoder $d on K=32" sh -c "'$h278' decompress k32.h278 -o k32.out -f --decoder '$d' && cmp k32.out kennedy.xls"
done
check "one-byte file" "$h278" compress a.txt
check "one-byte decompress" "$h278" decompress a.txt.h278 -o a.out
check "one-byte round trip" cmp a.out a.txt
: > empty
check "empty file" "$h278" compress empty
check "empty decompress" "$h278" decompress empty.h278 -o empty.out
check "empty round trip" cmp empty.out empty

# stdin and stdout.
check "compress stdin to stdout" sh -c "'$h278' compress - < kennedy.xls > pipe.h278"
check "decompress stdin to stdout" sh -c "'$h278' decompress - < pipe.h278 > pipe.out"
check "pipe round trip" cmp pipe.out kennedy.xls

# Every decoder variant this CPU offers decodes the same bytes: the pivot
# decoders from the pivot layout, the others from the default one; tree and
# simd from both.
check "compress --layout pivot" "$h278" compress orig.txt -o pivot.h278 --layout pivot
check "pivot is version 2" sh -c "'$h278' info pivot.h278 | grep -q 'format version 2'"
check "explain shows the pivot tree" sh -c "'$h278' explain pivot.h278 | grep -q 'pivot tree, '"
check "explain --json has the pivot tree" sh -c "'$h278' explain pivot.h278 --json | grep -q '\"pivot_tree\":\[{'"
for d in $("$h278" decompress --list-decoders | awk '{print $1}'); do
  case "$d" in pivot*) file=pivot.h278 ;; *) file=alice29.txt.h278 ;; esac
  check "decoder $d" "$h278" decompress "$file" -o "out.$d" --decoder "$d"
  check "decoder $d output" cmp "out.$d" orig.txt
done
check "--list-decoders says what simd stands for here" sh -c \
  "'$h278' decompress --list-decoders | grep -Eq '^simd +=  *[a-z0-9-]+ here: the fastest variant this CPU runs'"
for d in tree simd; do
  check "decoder $d on pivot" sh -c "'$h278' decompress pivot.h278 -o out.p.$d --decoder $d && cmp out.p.$d orig.txt"
done
stderr_has "a classic decoder refuses a pivot file" "does not decode the block's layout" \
  "$h278" decompress pivot.h278 -o x --decoder table
stderr_has "a pivot decoder refuses a classic file" "does not decode the block's layout" \
  "$h278" decompress alice29.txt.h278 -o x --decoder pivot
stderr_has "unknown layout" "expected segmented, interleaved or pivot" \
  "$h278" compress orig.txt -o x.h278 --layout wavelet
stderr_has "unknown decoder" "unknown decoder" "$h278" decompress alice29.txt.h278 -o x --decoder nosuch

# No overwrite without -f; the existing file is untouched.
echo precious > keep.txt
stderr_has "refuses to overwrite" "already exists" "$h278" decompress alice29.txt.h278 -o keep.txt
check "existing file untouched" grep -q precious keep.txt
check "-f overwrites" "$h278" decompress alice29.txt.h278 -o keep.txt -f
check "-f result" cmp keep.txt orig.txt

# A device or a pipe is written straight to (-o /dev/null must not rename a
# file over the device): a FIFO stays a FIFO and gets every byte.
mkfifo pipe
timeout 30 cat pipe > from_pipe.txt &
reader=$!
check "decompress into a FIFO" "$h278" decompress alice29.txt.h278 -o pipe
wait "$reader"
check "FIFO got the bytes" cmp from_pipe.txt orig.txt
check "FIFO is still a FIFO" test -p pipe

# Damaged files: verify names the block; decompress leaves nothing behind.
check "verify good file" "$h278" verify alice29.txt.h278
size=$(stat -c %s alice29.txt.h278)
for offset in 30 200 20000 80000 $((size - 1)); do
  cp alice29.txt.h278 bad.h278
  byte=$(od -An -tu1 -j "$offset" -N1 bad.h278 | tr -d ' ')
  printf "$(printf '\\%03o' $((byte ^ 16)))" | dd of=bad.h278 bs=1 seek="$offset" conv=notrunc status=none
  stderr_has "verify catches a flip at $offset" "bad.h278: " "$h278" verify bad.h278
  echo precious > victim
  fails "decompress of damaged file at $offset" "$h278" decompress bad.h278 -o victim -f
  check "damaged decompress leaves the old file" grep -q precious victim
  fails "damaged decompress leaves no output" test -e bad
done
stderr_has "flip names its block" "block 1:" "$h278" verify bad.h278
check "no temporary files left" sh -c '! ls | grep -q tmp'
# A temporary file that a killed run left (its process is gone) is removed
# by the next run for the same output; one of a running process is not.
sh -c 'exit 0' & dead=$!
wait "$dead"
touch "stale.out.tmp$dead-0" "stale.out.tmp$$-1" "stale.out.tmpx-0"
check "decompress beside stale temporary files" "$h278" decompress alice29.txt.h278 -o stale.out
check "a dead run's temporary file removed" test ! -e "stale.out.tmp$dead-0"
check "a live run's temporary file kept" test -e "stale.out.tmp$$-1"
check "a file not named as ours kept" test -e "stale.out.tmpx-0"
rm -f stale.out "stale.out.tmp$$-1" "stale.out.tmpx-0"
head -c 5000 alice29.txt.h278 > trunc.h278
stderr_has "truncated file" "truncated" "$h278" decompress trunc.h278 -o t.out
fails "truncated leaves no output" test -e t.out
stderr_has "not an h278 file" "not an H278 file" "$h278" verify orig.txt
stderr_has "missing input" "nosuchfile" "$h278" compress nosuchfile
stderr_has "unknown suffix" "unknown suffix" "$h278" decompress orig.txt

# Options and help.
for c in compress decompress verify info explain; do
  check "$c --help" "$h278" "$c" --help
done
check "h278 --help" "$h278" --help
check "h278 --version" "$h278" --version
fails "no command" "$h278"
stderr_has "unknown command" "unknown command" "$h278" frobnicate
stderr_has "did you mean a command" "did you mean 'decompress'" "$h278" decompres x.h278
stderr_has "did you mean a decoder" "did you mean 'multisym'" "$h278" decompress alice29.txt.h278 -o x --decoder multisim
stderr_has "did you mean simd" "did you mean 'simd'" "$h278" decompress alice29.txt.h278 -o x --decoder smid
stderr_has "serve: unknown decoder, as decompress" "unknown decoder 'nosuch' (h278 decompress --list-decoders" \
  "$h278" serve --name h278-test-cli-unused --decoder nosuch --once
check "h278 help" "$h278" help
check "h278 help CMD" sh -c "'$h278' help verify | grep -q 'usage: h278 verify'"
fails "h278 help of no command" "$h278" help frobnicate
printf x > one.txt
check "one block, one byte: no plural" sh -c "'$h278' compress -f one.txt && '$h278' verify one.txt.h278 | grep -q '(1 block, 1 byte)'"
stderr_has "bad -L" "-L" "$h278" compress orig.txt -L 21 -o x.h278
stderr_has "bad -K" "-K" "$h278" compress orig.txt -K 3 -o x.h278
stderr_has "bad -B" "-B" "$h278" compress orig.txt -B 100 -o x.h278
stderr_has "unknown option" "unknown option" "$h278" compress orig.txt --frob
stderr_has "missing value" "needs a value" "$h278" compress orig.txt -o
check "info" "$h278" info alice29.txt.h278
check "explain one block" sh -c "'$h278' explain alice29.txt.h278 --block 1 | grep -q 'canonical code'"
stderr_has "explain missing block" "no block" "$h278" explain alice29.txt.h278 --block 9
# --json: one JSON object, the same facts as the text.
check "info --json" sh -c "'$h278' info alice29.txt.h278 --json > info.json"
check "info --json parses, one entry per block" python3 -c "
import json; d = json.load(open('info.json'))
assert d['block_count'] == len(d['blocks']) >= 1 and d['original_size'] == 152089, d
assert all(b['type'] in ('huffman', 'stored', 'run') for b in d['blocks'])"
check "explain --json --block 1" sh -c "'$h278' explain alice29.txt.h278 --json --block 1 > explain.json"
check "explain --json parses: codes, counts, tables" python3 -c "
import json; d = json.load(open('explain.json'))
b, = d['blocks']
assert b['index'] == 1 and sum(c['count'] for c in b['codes']) == b['decoded'], b['index']
assert all(len(c['code']) == c['length'] for c in b['codes'])
assert {t['variant'] for t in b['tables']} >= {'tree', 'table', 'multisym'}"
# Classroom inputs: a short word, coded in memory although H278 would
# store it; the canonical view (canonical order, lengths, Kraft sum, tree).
check "explain --text a word" sh -c "'$h278' explain --text MISSISSIPPI > word.txt"
check "explain --text says it codes what H278 would store" grep -q 'Huffman-coded to be explained' word.txt
check "explain --text: the Kraft sum of a complete code" grep -q 'Kraft sum 1.000000' word.txt
check "explain --text: the tree of a small code" grep -q "^  \`-1-" word.txt
check "explain --text: -log2 p" grep -q -- '-log2 p' word.txt
check "explain --text --json: canonical order, lengths, Kraft" sh -c \
  "'$h278' explain --text MISSISSIPPI --json -L 4 -K 1 > word.json && python3 -c \"
import json; b, = json.load(open('word.json'))['blocks']
assert b['huffman_coded_for_explain'] and b['kraft_sum'] == 1.0, b
codes = {c['symbol']: c for c in b['codes']}
assert sorted(codes, key=lambda s: (codes[s]['length'], s)) == b['canonical_order'], b['canonical_order']
assert sum(l['symbols'] for l in b['lengths']) == len(codes) == 4
assert codes[ord('S')]['count'] == 4 and abs(codes[ord('M')]['neg_log2_p'] - 3.4594) < 1e-3
for l in b['lengths']:  # the first code of a length is its smallest symbol's
    first = min((s for s in codes if codes[s]['length'] == l['length']))
    assert codes[first]['code'] == l['first_code'], l
\""
check "explain --input with a layout" sh -c "'$h278' explain --input orig.txt --layout pivot --block 0 | grep -q 'pivot tree'"
check "explain --text of one repeated symbol: a RUN block" sh -c "'$h278' explain --text AAAA | grep -q 'RUN block'"
stderr_has "explain --text of nothing" "input is empty" "$h278" explain --text ""
stderr_has "explain: too many symbols for L" "raise -L" "$h278" explain --text "hello world" -L 2
stderr_has "explain: -L on a file" "already chosen" "$h278" explain alice29.txt.h278 -L 9
stderr_has "explain: two inputs" "give one of" "$h278" explain alice29.txt.h278 --text x
stderr_has "table bits out of range" "expected 6..14" "$h278" verify alice29.txt.h278 --decoder multisym --table-bits 3
stderr_has "short bits out of range" "expected 6..14" "$h278" verify alice29.txt.h278 --decoder hybrid --short-bits 15
check "short bits in range" "$h278" verify alice29.txt.h278 --decoder hybrid --short-bits 9
check "a misspelt H278_DISABLE_CPU is named" sh -c \
  "H278_DISABLE_CPU=avx3 '$h278' decompress --list-decoders 2>&1 >/dev/null | grep -q \"unknown feature 'avx3'\""
check "decompress --help says what stdout gets on failure" sh -c "'$h278' decompress --help | grep -q 'blocks before the bad one'"
# Write errors name the output and the reason, in every command.
if [ -w /dev/full ]; then
  stderr_has "decompress to a full device" "/dev/full: write failed: No space left" "$h278" decompress alice29.txt.h278 -o /dev/full
  for args in "info alice29.txt.h278" "explain alice29.txt.h278 --json" "analyze orig.txt" "decompress --list-decoders" \
              "verify alice29.txt.h278" "--help"; do
    # shellcheck disable=SC2086
    fails "h278 $args to a full stdout" sh -c "'$h278' $args > /dev/full"
    # shellcheck disable=SC2086
    stderr_has "h278 $args to a full stdout says so" "(stdout): write failed" sh -c "'$h278' $args > /dev/full"
  done
fi
# A run killed (SIGKILL: no handler runs) while it writes its output leaves
# nothing beside it where the system has unnamed files (Linux); it waits for
# input from a pipe when it is killed.
if [ "$(uname -s)" = Linux ]; then
  mkfifo slow.fifo
  "$h278" decompress - -o killed.out < slow.fifo & victim=$!
  exec 3> slow.fifo
  head -c 40000 alice29.txt.h278 >&3
  sleep 0.5
  kill -9 "$victim"; wait "$victim" 2>/dev/null
  exec 3>&-
  check "a killed decompress leaves no temporary file" sh -c '! ls -a | grep -q "^killed.out"'
fi
# A directory is named as one, not as a truncated file.
mkdir -p adir.h278
for c in decompress verify info explain; do
  stderr_has "$c of a directory" "adir.h278: Is a directory" "$h278" "$c" adir.h278
done
# analyze: units in the header; a missing input prints no table.
check "analyze says bytes" sh -c "'$h278' analyze orig.txt | grep -q 'entropy, bytes'"
fails "analyze with a missing input" "$h278" analyze orig.txt no-such-file
check "analyze with a missing input writes nothing to stdout" sh -c "! '$h278' analyze orig.txt no-such-file 2>/dev/null | grep -q ."

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
