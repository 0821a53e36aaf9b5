# size.gp - throughput against input size, 1 KB .. 10 MB, log scale.
load dir . "/common.gp"
set title "Decode throughput against input size (English-like text, L=11, K=4)" noenhanced
set xlabel "input size (bytes, log scale)"
set ylabel "MB/s of decoded bytes"
set logscale x 10
set xrange [500:*]
set format x "10^{%L}"
set yrange [0:*]
plot for [i=2:ncols+1] data . "/size.dat" using 1:i title columnhead(i)
