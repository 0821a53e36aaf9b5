# Written by plots/prepare.py: what the chart scripts need to know.
nseries = 13
series_lt = "1 2 3 12 4 14 5 13 6 7 8 9 10"
datasets_ymax = 5830.04
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 8
variants_lt = "1 2 3 12 4 14 5 13"
L_ymax = 2995.5
K_ymax = 4111.5
nthreads_series = 8
threads_lt = "1 2 3 12 4 14 5 13"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
