# entropy.gp - throughput against the entropy of i.i.d. data: longer codes
# mean fewer symbols per table lookup.
load dir . "/common.gp"
set title "Decode throughput against source entropy (i.i.d. bytes; H278: L=11)" noenhanced
set xlabel "entropy (bits per byte)"
set xrange [0:8]
plot for [i=1:nseries] data . "/entropy.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(series_lt, i)+0
