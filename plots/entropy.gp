# entropy.gp - throughput against the entropy of i.i.d. data.
load dir . "/common.gp"
set title "Decode throughput against source entropy (i.i.d. bytes, 1 MiB, L=11, K=4)" noenhanced
set xlabel "entropy (bits per byte)"
set ylabel "MB/s of decoded bytes"
set yrange [0:*]
plot for [i=2:ncols+1] data . "/entropy.dat" using 1:i title columnhead(i)
