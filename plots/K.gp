# K.gp - throughput against the number of streams K, both layouts side by
# side on one scale: segmented (stream i holds one contiguous part) and
# interleaved (stream i holds symbols i, i+K, ...), which SIMD lanes need.
wide = 1
load dir . "/common.gp"
set multiplot layout 1,2 title "Decode throughput against stream count K (" . sweep . ", L=11)" noenhanced
set logscale x 2
set xtics (1, 4, 8, 16, 32)
set xrange [0.8:40]
set yrange [0:K_ymax * 1.05]
set xlabel "streams K (log scale)"
set key off
set title "segmented layout"
plot for [i=1:nvariants] data . "/K_segmented.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(variants_lt, i)+0
set key outside right top vertical Left reverse noenhanced samplen 2
set title "interleaved layout (K=1: one stream, the same file)"
plot for [i=1:nvariants] data . "/K_interleaved.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(variants_lt, i)+0
unset multiplot
