# L.gp - throughput against the code-length limit L, in the default layout
# (K=4 segmented) and the SIMD one (K=32 interleaved) on one scale: a longer
# limit means bigger tables (2^L entries for the single table) and fewer
# cache hits, and fewer symbols per refill for the SIMD lanes.
wide = 1
load dir . "/common.gp"
set multiplot layout 1,2 title "Decode throughput against the maximum code length L (" . sweep . ")" noenhanced
set xlabel "maximum code length L (bits)"
set xtics 2
set yrange [0:L_ymax * 1.05]
set key off
set title "K=4 segmented layout"
plot for [i=1:nvariants] data . "/L.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(variants_lt, i)+0
set key outside right top vertical Left reverse noenhanced samplen 2
set title "K=32 interleaved layout"
plot for [i=1:nvariants] data . "/L_interleaved.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(variants_lt, i)+0
unset multiplot
