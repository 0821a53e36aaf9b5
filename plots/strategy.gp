# strategy.gp - the strategy map: every decoder variant as one labelled
# point, its decode MB/s (mean over the summary datasets, in its faster
# layout) against the memory its tables take for a code of L=11 (left) and
# the time it takes to build them per 128 KiB block (right), all axes
# logarithmic. Up and to the left is better: speed for little memory or
# set-up. (tree is left out, as from the other speed charts.)
wide = 1
load dir . "/common.gp"
set multiplot layout 1,2 title "Decode speed against table memory and table build time (" . strategy_datasets . ", L=11)" noenhanced
set logscale xy 10
set autoscale fix
set yrange [*:*]
set ylabel "MB/s of decoded bytes (log scale)"
set key off
set offsets graph 0.1, graph 0.1, graph 0.12, graph 0.1
set title "table memory"
set xlabel "bytes of tables for one code (log scale)"
set xtics add (2000, 5000, 20000, 50000)
plot data . "/strategy.dat" using 2:4:5 with points pt 7 ps 1.5 lc variable, \
     "" using 2:6:1:5 with labels font ",9" tc variable noenhanced
set title "table build"
set xlabel "microseconds to build the tables, per 128 KiB block (log scale)"
set xtics add (2, 5, 20, 50)
plot data . "/strategy.dat" using 3:4:5 with points pt 7 ps 1.5 lc variable, \
     "" using 3:7:1:5 with labels font ",9" tc variable noenhanced
unset multiplot
