# Written by plots/prepare.py: what the chart scripts need to know.
nseries = 10
series_lt = "1 2 3 4 5 6 7 8 9 10"
datasets_ymax = 4002.8049999999994
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 5
variants_lt = "1 2 3 4 5"
L_ymax = 3280.6
K_ymax = 3280.6
nthreads_series = 5
threads_lt = "1 2 3 4 5"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
