# entropy.gp - throughput against the entropy of i.i.d. data: longer codes
# mean fewer symbols per table lookup.
load dir . "/common.gp"
set title "Decode throughput against source entropy (i.i.d. bytes; H278: L=11)" noenhanced
set xlabel "entropy (bits per byte)"
set xrange [0:8]
plot for [i=2:nseries+1] data . "/entropy.dat" using 1:i title columnhead(i) lt word(series_lt, i-1)+0
