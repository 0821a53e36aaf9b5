# designs.py FOLDER - designs.md from h278-bench.json here: each AVX2
# multi-symbol design and avx2 against multisym (K=4) on the same file.
import json, os, statistics, sys

d = sys.argv[1]
files = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt", "kennedy.xls", "ptt5"]
rows = {}
for b in json.load(open(os.path.join(d, "h278-bench.json")))["benchmarks"]:
    if b.get("aggregate_name") == "median" and not b.get("error_occurred"):
        rows[b["run_name"]] = b["bytes_per_second"] / 1e6
designs = [("avx2 (K=32i: one symbol per lane and gather)", "decode/avx2/%s/K:32i"),
           ("64-bit lanes, up to 4 symbols, two 8-byte stores per round", "decode/avx2-multi-lanes64/%s/K:32"),
           ("32-bit lanes, masked, one 4-byte store per 2 lookups", "decode/avx2-multi-masked-store4/%s/K:32"),
           ("32-bit lanes, masked, one 8-byte store per 4 lookups", "decode/avx2-multi-masked-store8/%s/K:32"),
           ("the same with bit offsets, masks only in checked rounds", "decode/avx2-multi-bit-offsets/%s/K:32"),
           ("**kept: no masks, lanes that sit out run as copies**", "decode/avx2-multi/%s/K:32")]
print("MB/s (median of 5) and, in brackets, the ratio to `multisym` K=4 on the same file in the same run.\n")
print("| design | " + " | ".join(files) + " | mean ratio, the four texts |")
print("|---|" + "---:|" * (len(files) + 1))
base = {f: rows["decode/multisym/%s" % f] for f in files}
print("| multisym K=4 | " + " | ".join("%.0f" % base[f] for f in files) + " | 1.00x |")
for name, pattern in designs:
    cells, texts = [], []
    for f in files:
        v = rows.get(pattern % f)
        cells.append("%.0f (%.2fx)" % (v, v / base[f]) if v else "-")
        if v and f.endswith(".txt"):
            texts.append(v / base[f])
    print("| %s | %s | %.2fx |" % (name, " | ".join(cells), statistics.mean(texts)))
