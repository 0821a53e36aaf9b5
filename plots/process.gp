# process.gp - whole processes timed by hyperfine: `h278 decompress` with
# each variant, and the feed -> serve pipeline (both processes started,
# the file streamed once); process start and file I/O included, so this is
# what a user of the command line sees, not the decoder's own speed.
load dir . "/common.gp"
set title "Whole processes on " . process_dataset . " (hyperfine median; start-up and file I/O included)" noenhanced
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.6
set xtics rotate by -30 scale 0 noenhanced
set autoscale xfix
set offsets 0.6, 0.6, 0, 0
set yrange [0:*]
set key off
plot data . "/process.dat" using 0:2:5:xtic(1) with boxes lc variable, \
     "" using 0:2:3:4 with yerrorbars lc rgb "#333333" pt -1 notitle, \
     "" using 0:2:(sprintf("%.0f", $2)) with labels offset 2.5,0.8 notitle
