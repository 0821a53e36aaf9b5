# compare.py FOLDER - compare.md from the three bench-N.json runs here: MB/s now / before
# (medians over the runs) and the median per-run change per file; "mean of the 4" and "per run"
# are means of the four files' changes.
import json, statistics, sys, glob, os
d = sys.argv[1]
texts = ["alice29.txt", "asyoulik.txt", "lcet10.txt", "plrabn12.txt"]
pairs = [("tree","old-tree",""),("table","old-table",""),("table","old-table","/K:32i"),
 ("hybrid","old-hybrid",""),("hybrid","old-hybrid","/K:32i"),("multisym","old-multisym",""),
 ("multisym","old-multisym","/K:32i"),("multisym-bmi2","old-avx2",""),("multisym-bmi2","old-avx512",""),
 ("avx2","old-avx2","/K:32i"),("avx512","old-avx512","/K:32i")]
runs = []
for p in sorted(glob.glob(os.path.join(d, "bench-*.json"))):
    rows = {}
    for b in json.load(open(p))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            assert not b.get("error_occurred"), b["run_name"]
            rows[b["run_name"]] = b["bytes_per_second"] / 1e6
    runs.append(rows)
print("| variant now | before (same code path) | layout | " + " | ".join(texts) + " | mean of the 4 | per run |")
print("|---|---|---|" + "---:|" * 6)
worst = []
for new, old, lay in pairs:
    cells = []; rel = []
    for t in texts:
        n = statistics.median(r["decode/%s/%s%s" % (new, t, lay)] for r in runs)
        o = statistics.median(r["decode/%s/%s%s" % (old, t, lay)] for r in runs)
        q = statistics.median(r["decode/%s/%s%s" % (new, t, lay)] / r["decode/%s/%s%s" % (old, t, lay)] for r in runs) - 1
        rel.append(q)
        cells.append("%.0f / %.0f (%+.1f%%)" % (n, o, 100 * q))
    per = [statistics.mean(r["decode/%s/%s%s" % (new, t, lay)] / r["decode/%s/%s%s" % (old, t, lay)] - 1 for t in texts) for r in runs]
    print("| `%s` | `%s` | %s | %s | %+.1f%% | %s |" % (new, old, "K=32i" if lay else "K=4", " | ".join(cells),
          100 * statistics.mean(rel), ", ".join("%+.1f%%" % (100 * x) for x in per)))
