# L.gp - throughput against the code-length limit L: a longer limit means
# bigger tables (2^L entries for the single table) and fewer cache hits.
load dir . "/common.gp"
set title "Decode throughput against the maximum code length L (" . sweep . ", K=4 segmented)" noenhanced
set xlabel "maximum code length L (bits)"
set xtics 1
plot for [i=2:nvariants+1] data . "/L.dat" using 1:i title columnhead(i) lt word(variants_lt, i-1)+0
