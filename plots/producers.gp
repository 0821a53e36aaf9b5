# producers.gp - one decode server, many producers (h278-shm-bench
# --producers): the total decoded MB/s against the number of producer
# processes streaming at once, one line per decode-thread count (bars:
# slowest to fastest run), and on the right axis the slowest producer's
# MB/s as a share of an equal split (1 = perfectly fair).
producers_chart = 1
load dir . "/common.gp"
set title sprintf("One server, many producers (staged blocks, each result checked; %s cores)", cores) noenhanced
set xlabel "producer processes at once"
set logscale x 2
set xtics 1, 2
set xrange [0.8:*]
set offsets 0, graph 0.05, 0, 0
set ylabel "total MB/s of decoded bytes (all producers)"
set y2label "slowest producer's share of an equal split"
set border 11
set y2range [0:1.25]
set y2tics 0, 0.25 nomirror
plot for [i=1:nproducer_threads] data . "/producers.dat" using 1:(column(3*i-1)):(column(3*i)):(column(3*i+1)) \
     with yerrorlines title columnhead(3*i-1) lt 20+i, \
     for [i=1:nproducer_threads] data . "/producers.dat" using 1:(column(3*nproducer_threads+1+i)) axes x1y2 \
     with linespoints title columnhead(3*nproducer_threads+1+i) lt 20+i dt 2
