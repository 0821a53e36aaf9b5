# Written by plots/prepare.py: what the chart scripts need to know.
nseries = 13
series_lt = "1 2 3 12 4 14 5 13 6 7 8 9 10"
datasets_ymax = 4979.959999999999
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 8
variants_lt = "1 2 3 12 4 14 5 13"
L_ymax = 2509.4
K_ymax = 3607.4
nthreads_series = 8
threads_lt = "1 2 3 12 4 14 5 13"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
