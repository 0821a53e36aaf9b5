# profile_d1.gp - level-1 data-cache misses per decoded symbol against L
# (cachegrind with a fixed 48 KiB 12-way D1, scripts/profile.py): a table of
# 2^L entries outgrows the D1 somewhere between L=13 and L=15, and from
# there lookups miss.
profile_chart = 1
load dir . "/common.gp"
set title "D1 misses per decoded symbol against L (" . profile_sweep . "; cachegrind, 48 KiB D1)" noenhanced
set xlabel "maximum code length L (bits)"
set ylabel "D1 misses per symbol"
set xtics 2
plot for [i=2:nprofile+1] data . "/profile_d1.dat" using 1:i title columnhead(i) lt word(profile_lt, i-1)+0
