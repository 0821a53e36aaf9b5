# compare.gp - scripts/compare.sh's chart: each variant's (and peer's) mean
# MB/s in run B over run A, one bar each; 1 is no change. Called with data
# (compare.dat), out, fmt and what (the two runs' names).
if (fmt eq "svg") {
    set terminal svg size 1100,560 dynamic font "sans,12" background rgb "white"
} else {
    set terminal pngcairo size 1100,560 font "sans,11" background rgb "white"
}
set output out
set datafile separator "\t"
set title "Mean MB/s over the summary datasets, " . what noenhanced
set ylabel "B / A (1 = no change)"
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.6
set xtics rotate by -30 scale 0 noenhanced
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set key off
set yrange [0:*]
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#d62728" dt 2
plot data using 0:2:xtic(1) with boxes lc rgb "#1f77b4", \
     "" using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.7 notitle
