# generated.gp - decode MB/s per generated dataset (i.i.d. entropies, Zipf,
# geometric, Fibonacci worst cases for the code length), same series as
# datasets.gp.
wide = 1
load dir . "/common.gp"
set title "Single-thread decode throughput on generated data (H278: L=11; tree and memcpy left out)" noenhanced
set xlabel "dataset (iid-H: i.i.d. bytes of entropy H bits; zipf-s, geometric-p; fibonacci-Ln: codes up to n bits)"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.9
set xtics rotate by -30 scale 0 noenhanced
if (generated_ymax > 0) set yrange [0:generated_ymax]
plot for [i=1:nseries] data . "/generated.dat" using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
     title columnhead(3*i-1) lt word(series_lt, i)+0
