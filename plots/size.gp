# size.gp - throughput against input size, 1 KB .. 10 MB, log scale: where
# table build and short streams cost more than the decoding itself.
load dir . "/common.gp"
set title "Decode throughput against input size (English-like generated text; H278: L=11)" noenhanced
set xlabel "input size (bytes, log scale)"
set logscale x 10
set format x "%.0s %cB"
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
plot for [i=1:nseries] data . "/size.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(series_lt, i)+0
