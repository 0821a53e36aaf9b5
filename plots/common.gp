# common.gp - shared look of every H278 chart. Loaded by each plot script
# after `out` (output path without extension) and `fmt` (png or svg) are set;
# a script sets `wide = 1` first for a wider canvas.
if (!exists("wide")) wide = 0
width = wide ? 1500 : 1000
if (fmt eq "svg") {
    set terminal svg size width,560 dynamic font "sans,12" background rgb "white"
} else {
    set terminal pngcairo size width,560 font "sans,11" background rgb "white"
}
set output out . "." . fmt
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set key outside right top vertical Left reverse noenhanced
set datafile separator "\t"
set datafile missing "NaN"
set style data linespoints
set linetype 1 lc rgb "#1b9e77" lw 2 pt 7
set linetype 2 lc rgb "#d95f02" lw 2 pt 5
set linetype 3 lc rgb "#7570b3" lw 2 pt 9
set linetype 4 lc rgb "#e7298a" lw 2 pt 11
set linetype 5 lc rgb "#66a61e" lw 2 pt 13
set linetype 6 lc rgb "#e6ab02" lw 2 pt 3
set linetype 7 lc rgb "#a6761d" lw 2 pt 2
set linetype 8 lc rgb "#666666" lw 2 pt 1
set linetype 9 lc rgb "#000000" lw 2 pt 4
