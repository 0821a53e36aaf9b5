# split.gp - where small inputs spend their time: table build against decode.
load dir . "/common.gp"
set title "Table build and decode time per file, small inputs (L=11, K=4)" noenhanced
set ylabel "microseconds per file (log scale)"
set logscale y 10
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set xtics scale 0 noenhanced
plot for [i=2:2*nscalar+1] data . "/split.dat" using i:xtic(1) title columnhead(i)
