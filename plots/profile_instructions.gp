# profile_instructions.gp - instructions per decoded symbol against the
# code-length limit L (cachegrind, scripts/profile.py): what each strategy
# executes per symbol, free of timing noise. The single table's count barely
# moves with L, so its slow-down past L=14 is not more work but cache misses
# (profile_d1.gp); the tree walk does one step per bit.
profile_chart = 1
load dir . "/common.gp"
set title "Instructions per decoded symbol against L (" . profile_sweep . "; cachegrind, decode alone)" noenhanced
set xlabel "maximum code length L (bits)"
set ylabel "instructions per symbol (log scale)"
set xtics 2
set logscale y 10
set yrange [*:*]
plot for [i=2:nprofile+1] data . "/profile_L.dat" using 1:i title columnhead(i) lt word(profile_lt, i-1)+0
