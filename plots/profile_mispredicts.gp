# profile_mispredicts.gp - mispredicted branches per decoded symbol against
# the source entropy (cachegrind's branch simulation, scripts/profile.py):
# a decoder whose branches depend on the code length (the tree walk, the
# hybrid's long-code escape) mispredicts more as the codes vary more.
profile_chart = 1
load dir . "/common.gp"
set title "Mispredicted branches per decoded symbol against entropy (" . profile_entropy_sets . ", L=11; cachegrind)" noenhanced
set xlabel "entropy (bits per byte)"
set ylabel "mispredicted branches per symbol (log scale)"
set xrange [0:8]
set logscale y 10
set yrange [*:*]
plot for [i=3:nprofile+2] data . "/profile_entropy.dat" using 1:i title columnhead(i) lt word(profile_lt, i-2)+0
