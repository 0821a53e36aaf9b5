# compare.py FOLDER - compare.md from the h278-bench and havbench runs here.
import json, statistics, sys, glob, os
d = sys.argv[1]
files = ["alice29.txt", "lcet10.txt", "kennedy.xls", "ptt5", "iid-2.0", "iid-4.0", "iid-6.0"]
runs = sorted(glob.glob(os.path.join(d, "h278-bench-*.json")))
def h278(path):
    rows = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("aggregate_name") == "median" and not b.get("error_occurred"):
            rows[b["run_name"]] = b["bytes_per_second"] / 1e6
    out = {}
    for f in files:
        z = rows["peer/zstd-literals/" + f]
        cands = {"avx512-multi K=32": rows.get("decode/avx512-multi/%s/K:32" % f),
                 "avx512 K=32i": rows.get("decode/avx512/%s/K:32i" % f),
                 "avx2-multi K=32": rows.get("decode/avx2-multi/%s/K:32" % f),
                 "avx2 K=32i": rows.get("decode/avx2/%s/K:32i" % f)}
        best = max((v / z, k) for k, v in cands.items() if v)
        out[f] = (best, {k: v / z for k, v in cands.items() if v}, z)
    return out
def hav(path):
    out = {}
    for line in open(path):
        f, name, mbs, ratio, size = line.split("\t")
        if name in ("hav-gather32", "hav-gather48"):
            r = float(ratio)
            if f not in out or r > out[f][0]:
                out[f] = (r, name)
    return out
H = [h278(p) for p in runs]
V = [hav(p) for p in sorted(glob.glob(os.path.join(d, "havbench-*.txt")))]
print("| file | H278 best SIMD / zstd-literals, runs 1-6 | the record's best / zstd-literals, runs 1-6 | median ratio H278 : record |")
print("|---|---|---|---:|")
for f in files:
    hs = [h[f][0] for h in H]
    vs = [v[f] for v in V]
    ratios = [a[0] / b[0] for a, b in zip(hs, vs)]
    hcell = ", ".join("%.2fx (%s)" % (a[0], a[1].split()[0]) for a in hs)
    vcell = ", ".join("%.2fx (%s)" % (b[0], b[1].replace("hav-", "")) for b in vs)
    print("| %s | %s | %s | %.2f |" % (f, hcell, vcell, statistics.median(ratios)))
