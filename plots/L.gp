# L.gp - throughput against the code-length limit L.
load dir . "/common.gp"
set title "Decode throughput against the maximum code length L (" . sweep . ", K=4)" noenhanced
set xlabel "maximum code length L (bits)"
set ylabel "MB/s of decoded bytes"
set xtics 1
set yrange [0:*]
plot for [i=2:nscalar+1] data . "/L.dat" using 1:i title columnhead(i)
