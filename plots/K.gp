# K.gp - throughput against the number of streams K ("i": interleaved layout).
load dir . "/common.gp"
set title "Decode throughput against stream count K (" . sweep . ", L=11; i = interleaved layout)" noenhanced
set xlabel "streams K"
set ylabel "MB/s of decoded bytes"
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set xtics scale 0
plot for [i=2:nscalar+1] data . "/K.dat" using i:xtic(1) title columnhead(i)
