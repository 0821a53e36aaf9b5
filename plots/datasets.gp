# datasets.gp - decode MB/s per dataset: each H278 variant, the peers beside.
wide = 1
load dir . "/common.gp"
set title "Single-thread decode throughput per dataset (L=11, K=4, 128 KiB blocks)" noenhanced
set ylabel "MB/s of decoded bytes"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set xtics rotate by -45 scale 0 noenhanced
set yrange [0:*]
set key outside right top vertical Left reverse noenhanced
plot for [i=2:ncols+1] data . "/datasets.dat" using i:xtic(1) title columnhead(i) noenhanced
