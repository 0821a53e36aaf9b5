#!/usr/bin/env bash
# test_profile.sh - the cachegrind profile (scripts/profile.py) is
# repeatable and runs where valgrind hides AVX-512:
#   - two profiles of the same build, on alice29.txt along a short L sweep
#     (the scalar, multi-symbol and pivot variants, and the one "simd"
#     stands for under valgrind), agree within 0.1% on every count, and
#     give sensible counts (instructions per symbol above 1, tree's above
#     multisym's);
#   - under valgrind the dispatch leaves the AVX-512 variants out: "simd"
#     resolves to another variant, and h278 decompress --decoder simd gives
#     the original bytes.
#
#   bash tests/test_profile.sh PATH/TO/h278-profile PATH/TO/h278 SOURCE_DIR CORPORA_DIR
set -u
profile=$(realpath "$1") h278=$(realpath "$2") src=$(realpath "$3")
alice=$(realpath "$4")/canterbury/alice29.txt
if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed (scripts/deps.sh test installs it): skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=1; }

# What "simd" is under valgrind (cachegrind, the profile's tool: memcheck
# runs out of VEX storage on the AVX2 kernels' long unrolled blocks).
vg=(valgrind -q --tool=cachegrind --cachegrind-out-file=/dev/null)
simd=$("${vg[@]}" "$h278" decompress --list-decoders | awk '$1 == "simd" {print $3}')
case "$simd" in
  ""|*avx512*) fail "under valgrind simd resolves to '$simd', an AVX-512 variant or none" ;;
esac
if "$h278" compress "$alice" -o "$work/a.h278" -K 32 -f >/dev/null &&
   "${vg[@]}" "$h278" decompress "$work/a.h278" -o "$work/a.out" --decoder simd -f; then
  cmp -s "$work/a.out" "$alice" || fail "h278 decompress --decoder simd under valgrind: wrong bytes"
else
  fail "h278 decompress --decoder simd under valgrind failed"
fi

variants=tree,multisym,pivot${simd:+,$simd}
for run in 1 2; do
  mkdir -p "$work/run$run"
  python3 "$src/scripts/profile.py" "$work/run$run" --tool "$profile" --quick --data="$alice" \
    --variants "$variants" >"$work/run$run.log" 2>&1 || { cat "$work/run$run.log"; fail "profile run $run"; }
done
python3 - "$work/run1/profile.csv" "$work/run2/profile.csv" <<'PY' || failed=1
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:])
counts = ["instructions", "d1_misses", "ll_misses", "branches", "mispredicts"]
ok = len(a) == len(b) and len(a) >= 12
if not ok:
    print(f"FAILED: {len(a)} and {len(b)} rows, expected the same number, at least 12")
for x, y in zip(a, b):
    for c in counts:
        u, v = float(x[c]), float(y[c])
        if abs(u - v) > 0.001 * max(abs(u), abs(v)):
            print(f"FAILED: {x['variant']} {x['dataset']} L={x['L']} {c}: {u} then {v}"); ok = False
ins = {(r["variant"], r["L"]): float(r["instructions"]) for r in a}
if any(v <= 1 for v in ins.values()) or not ins.get(("tree", "11"), 0) > ins.get(("multisym", "11"), 1e9):
    print(f"FAILED: implausible instructions per symbol: {ins}"); ok = False
sys.exit(0 if ok else 1)
PY
[ "$failed" = 0 ] && echo "test_profile: all checks passed"
exit "$failed"
