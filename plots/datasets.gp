# datasets.gp - decode MB/s per real file (Canterbury, or the user's files):
# every H278 variant in its faster stream layout, the peers beside them.
wide = 2
load dir . "/common.gp"
set title "Single-thread decode throughput per file (H278: L=11, 128 KiB blocks; tree and memcpy left out)" noenhanced
set xlabel "dataset"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.9
set xtics rotate by -30 scale 0 noenhanced
if (datasets_ymax > 0) set yrange [0:datasets_ymax]
plot for [i=1:nseries] data . "/datasets.dat" using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
     title columnhead(3*i-1) lt word(series_lt, i)+0
