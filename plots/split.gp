# split.gp - where the time goes for small inputs: building the decode
# tables (once per block) against decoding, per whole file, and the share
# of the time spent building.
wide = 1
load dir . "/common.gp"
set multiplot layout 1,2 title "Table build against decode, per file (generated text; H278: L=11, K=4)" noenhanced
set logscale x 10
set format x "%.0s %cB"
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel "input size (bytes, log scale)"
set key off
set title "time per file (solid: decode, dashed: table build)"
set logscale y 10
set yrange [*:*]
set ylabel "microseconds (log scale)"
set style data yerrorlines
plot for [i=1:nvariants] data . "/split.dat" using 1:(column(7*i-2)):(column(7*i-1)):(column(7*i)) \
         title columnhead(7*i-2) lt word(variants_lt, i)+0, \
     for [i=1:nvariants] data . "/split.dat" using 1:(column(7*i-5)):(column(7*i-4)):(column(7*i-3)) \
         notitle lt word(variants_lt, i)+0 dt 2
unset logscale y
set yrange [0:100]
set ylabel "% of the time spent building tables"
set title "share of table build in build + decode"
set key outside right top vertical Left reverse noenhanced samplen 2
set style data linespoints
plot for [i=1:nvariants] data . "/split.dat" using 1:(column(7*i+1)) title word(columnhead(7*i+1), 1) lt word(variants_lt, i)+0
unset multiplot
