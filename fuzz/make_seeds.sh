#!/usr/bin/env bash
# fuzz/make_seeds.sh - (re)writes the seed corpora in fuzz/corpus/ from the
# Canterbury corpora: small valid files of every block type and several
# (L, K, layout) settings, plus truncated and bit-flipped copies.
#
#   bash fuzz/make_seeds.sh PATH/TO/h278 CORPORA_DIR
set -euo pipefail
h278=$(realpath "$1")
corpora=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 3000 "$corpora/canterbury/alice29.txt" > "$tmp/text"
head -c 2000 "$corpora/canterbury/kennedy.xls" > "$tmp/xls"
head -c 1500 "$corpora/canterbury/sum" > "$tmp/bin"
head -c 700 "$corpora/canterbury-artificial/aaa.txt" > "$tmp/run"
head -c 900 "$corpora/canterbury-artificial/random.txt" > "$tmp/random"
: > "$tmp/empty"
i=0
for input in text xls bin run random empty; do
  for opts in "-L 11 -K 4" "-L 8 -K 1" "-L 15 -K 8 -B 512" "-L 20 -K 32 --interleaved" "-L 12 -K 16 --interleaved -B 1K" \
              "-L 12 -K 32" "-L 11 -K 16 -B 1K"; do
    # shellcheck disable=SC2086
    "$h278" compress "$tmp/$input" -o "$tmp/f$i.h278" -f $opts
    i=$((i + 1))
  done
done
python3 - "$tmp" "$here/corpus" <<'PY'
import glob, os, random, sys
tmp, out = sys.argv[1], sys.argv[2]
random.seed(278)
files = sorted(glob.glob(os.path.join(tmp, "f*.h278")))
for d in ("fuzz_header", "fuzz_decode"):
    os.makedirs(os.path.join(out, d), exist_ok=True)
    for old in glob.glob(os.path.join(out, d, "seed-*")):
        os.remove(old)
def put(target, name, data):
    with open(os.path.join(out, target, "seed-" + name), "wb") as f:
        f.write(data)
for n, path in enumerate(files):
    data = open(path, "rb").read()
    variants = [data, data[: len(data) // 2]]
    flipped = bytearray(data)
    if flipped:
        pos = random.randrange(len(flipped))
        flipped[pos] ^= 1 << random.randrange(8)
    variants.append(bytes(flipped))
    for k, v in enumerate(variants):
        put("fuzz_header", f"{n:02d}-{k}", v)
        for var in range(0, 8, 3):
            put("fuzz_decode", f"{n:02d}-{k}-{var}", bytes([var, 0, 0, 0, 0, 0]) + v)
for n, name in enumerate(["text", "xls", "bin", "run", "random", "empty"]):
    raw = open(os.path.join(tmp, name), "rb").read()[:1200]
    for L, K, bs in ((11, 1, 0), (5, 0x12, 1), (20, 4, 3), (14, 0x13, 0)):
        for var in range(0, 8, 2):
            put("fuzz_decode", f"raw-{name}-L{L}-{K}-{var}", bytes([var, 1, L - 1, K, bs, var * 3]) + raw)
PY
echo "seeds: $(ls "$here/corpus/fuzz_header" | wc -l) header, $(ls "$here/corpus/fuzz_decode" | wc -l) decode"
