# common.gp - the shared look of every H278 chart: canvas, fonts, grid, key
# outside the plot (so it never covers data), and one fixed colour per
# series (H278 variants in cool colours, peer libraries in warm ones) so a
# series looks the same in every chart.
#
# render.sh calls each chart script with dir (plots/), data (the charts
# folder), out (output path without extension) and fmt (png or svg); a
# script may set wide = 1 (1500 px) or 2 (1800 px) first. data/meta.gp, written
# by prepare.py, says what the data files hold. Every series of a
# throughput chart has three columns (median, slowest, fastest repetition:
# its error bar); every chart carries run_note (CPU, date, commit, how many
# repetitions) in its bottom left corner, or profile_note for a chart of
# cachegrind counts (which sets profile_chart = 1 first), or producers_note
# for the many-producers chart (producers_chart = 1: its runs, not
# google-benchmark's repetitions).
load data . "/meta.gp"
if (!exists("wide")) wide = 0
width = wide == 2 ? 1800 : (wide ? 1500 : 1100)
height = wide == 2 ? 700 : 620
if (fmt eq "svg") {
    set terminal svg size width,height dynamic font "sans,12" background rgb "white"
} else {
    if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
        set terminal pngcairo size width,height font "sans,11" background rgb "white"
    } else {
        set terminal png size width,height background rgb "white"
    }
}
set output out . "." . fmt
set grid ytics lc rgb "#dddddd"
set border 3
set tics nomirror
set key outside right top vertical Left reverse noenhanced samplen 2
set datafile separator "\t"
set style data linespoints
set ylabel "MB/s of decoded bytes"
set yrange [0:*]
note = exists("profile_chart") ? profile_note : exists("producers_chart") ? producers_note : run_note
set label 101 note at screen 0.005, 0.012 left font ",8" textcolor rgb "#555555" noenhanced
set bmargin 5
# Linetypes: 1-5 and 12-14 H278 variants, 6-10 peers, 11 anything else.
# The peer libraries (fixed):
set linetype 6 lc rgb "#d62728" lw 2 pt 6 ps 1.1    # zstd-literals
set linetype 7 lc rgb "#ff7f0e" lw 2 pt 4 ps 1.1    # zstd-3
set linetype 8 lc rgb "#bcbd22" lw 2 pt 8 ps 1.1    # libdeflate
set linetype 9 lc rgb "#8c564b" lw 2 pt 10 ps 1.1   # isal
set linetype 10 lc rgb "#7f7f7f" lw 2 pt 12 ps 1.1  # zlib
set linetype 11 lc rgb "#000000" lw 2 pt 1 ps 1.1    # anything else
# The H278 variants, in registry order (plots/prepare.py: the first is
# linetype 21, the next 22, ...; with today's registry the comments hold).
set linetype 21 lc rgb "#525252" lw 2 pt 3 ps 1.1   # tree
set linetype 22 lc rgb "#1f77b4" lw 2 pt 7 ps 1.1   # table
set linetype 23 lc rgb "#6baed6" lw 2 pt 5 ps 1.1   # hybrid
set linetype 24 lc rgb "#2ca02c" lw 2 pt 9 ps 1.3   # multisym
set linetype 25 lc rgb "#98df8a" lw 2 pt 15 ps 1.3  # multisym-bmi2
set linetype 26 lc rgb "#9e79c6" lw 2 pt 11 ps 1.3  # avx2
set linetype 27 lc rgb "#e377c2" lw 2 pt 11 ps 1.3  # avx2-multi
set linetype 28 lc rgb "#4a1486" lw 2 pt 13 ps 1.3  # avx512
set linetype 29 lc rgb "#17becf" lw 2 pt 13 ps 1.3  # avx512-multi
set linetype 30 lc rgb "#393b79" lw 2 pt 2 ps 1.3
set linetype 31 lc rgb "#637939" lw 2 pt 4 ps 1.3
set linetype 32 lc rgb "#5254a3" lw 2 pt 14 ps 1.3
