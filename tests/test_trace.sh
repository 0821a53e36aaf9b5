#!/usr/bin/env bash
# test_trace.sh - h278 explain --trace agrees with the data: for every
# Canterbury file, in the default layout (K=4), the SIMD layouts (K=32
# interleaved and segmented), at L=15 (long codes) and in the pivot layout,
# every decoder variant this CPU runs that decodes the layout (simd
# included) traces the first 300 symbols of block 0 (--json), and every
# symbol a step says it writes at a position is the file's byte there; a
# trace covers at least those 300 positions, and every strategy's steps
# (the hybrid's and multisym's escapes too) occur. The text form names the
# strategy's steps.
#
#   bash tests/test_trace.sh PATH/TO/h278 CORPORA_DIR
set -u
h278=$(realpath "$1")
corpora=$(realpath "$2")/canterbury
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

mapfile -t variants < <("$h278" decompress --list-decoders | awk '{print $1}')
n=0
for f in "$corpora"/*; do
  name=$(basename "$f")
  # L=15 gives long codes: the hybrid's and multisym's escapes to the search.
  for layout in "-K 4" "-K 4 -L 15" "-K 32 --interleaved" "-K 32" "--layout pivot"; do
    # shellcheck disable=SC2086
    "$h278" compress "$f" -o "$work/x.h278" -f $layout >/dev/null || { fail "compress $name $layout"; continue; }
    for v in "${variants[@]}"; do
      case "$v" in pivot*) [ "$layout" = "--layout pivot" ] || continue ;;
                   tree|simd) ;;
                   *) [ "$layout" = "--layout pivot" ] && continue ;; esac
      n=$((n + 1))
      if ! "$h278" explain "$work/x.h278" --trace 300 --decoder "$v" --json >"$work/t$n.json" 2>"$work/err"; then
        fail "$name ($layout) --decoder $v: $(cat "$work/err")"; continue
      fi
      printf '%s\t%s\t%s\n' "$work/t$n.json" "$f" "$name ($layout) $v" >>"$work/list.tsv"
    done
  done
done
python3 - "$work/list.tsv" "${variants[*]}" <<'PY' || failed=1
import json, sys
ok, kinds, traced = True, set(), 0
for line in open(sys.argv[1]):
    path, original, what = line.rstrip("\n").split("\t")
    doc = json.load(open(path))
    data = open(original, "rb").read()
    block, = doc["blocks"]
    trace = block.get("trace")
    if block["type"] != "huffman":
        ok &= trace is None
        continue
    seen = set()
    for st in trace["steps"]:
        kinds.add((trace["strategy"], st["kind"]))
        if not len(st["symbols"]) == len(st["positions"]) >= 1:
            print(f"FAILED: {what}: a step without symbols: {st}"); ok = False
        for s, p in zip(st["symbols"], st["positions"]):
            if data[p] != s:
                print(f"FAILED: {what}: {trace['traced_as']} step {st} writes {s} at {p}, the file has {data[p]}")
                ok = False
            seen.add(p)
    want = set(range(min(300, block["decoded"])))
    if not want <= seen:
        print(f"FAILED: {what}: positions {sorted(want - seen)[:5]}... not traced"); ok = False
    traced += 1
# Every strategy of the variants this CPU runs (H278_DISABLE_CPU may have
# taken the SIMD ones away).
listed = sys.argv[2].split()
needs = [("tree", "walk"), ("table", "hit"), ("hybrid", "hit"), ("hybrid", "long"), ("multisym", "hit"),
         ("multisym", "long"), ("pivot", "path")]
if any(v in ("avx2", "avx512") for v in listed):
    needs.append(("lanes", "lane"))
if any(v.endswith("-multi") for v in listed):
    needs.append(("multi", "lane"))
for need in needs:
    if need not in kinds:
        print(f"FAILED: no {need[1]} step of the {need[0]} strategy was traced"); ok = False
print(f"{traced} traces agree with the files")
sys.exit(0 if ok else 1)
PY

# The text form, on a word.
"$h278" explain --text ABRACADABRA --trace 11 >"$work/tree.txt" || fail "text trace"
grep -q "walk     100 .*-> 'B'" "$work/tree.txt" || fail "the tree walk's bit path: $(cat "$work/tree.txt")"
"$h278" explain --text ABRACADABRA --trace 11 --decoder multisym >"$work/ms.txt" || fail "multisym trace"
grep -q "index .*-> 'A' 'B' 'R'" "$work/ms.txt" || fail "a multi-symbol entry: $(cat "$work/ms.txt")"
"$h278" explain --text "hello hello world" -L 12 --trace 5 --decoder hybrid --short-bits 6 >"$work/hy.txt" ||
  fail "hybrid trace"
grep -q "6-bit lookups" "$work/hy.txt" || fail "hybrid's width: $(cat "$work/hy.txt")"
"$h278" explain --text ABRACADABRA --trace 3 --decoder nosuch >/dev/null 2>"$work/err" && fail "an unknown decoder traced"
grep -q "unknown decoder" "$work/err" || fail "unknown decoder message: $(cat "$work/err")"
[ "$failed" = 0 ] && echo "test_trace: all checks passed"
exit "$failed"
