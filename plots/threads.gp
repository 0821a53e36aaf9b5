# threads.gp - decode threads through the shared-memory server: MB/s that
# `h278 serve --threads N` decoded while `h278 feed` streamed blocks to it.
# feed is one more busy process, so past the core count threads compete.
load dir . "/common.gp"
set title sprintf("Decode threads through shared memory (h278 serve + feed, %s; %s cores)", serve_dataset, cores) noenhanced
set xlabel "server decode threads"
set logscale x 2
set xtics 1, 2
set xrange [0.8:*]
set offsets 0, graph 0.05, 0, 0
plot for [i=1:nthreads_series] data . "/threads.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt word(threads_lt, i)+0
