# Written by plots/prepare.py: what the chart scripts need to know.
nseries = 11
series_lt = "1 2 3 12 4 5 6 7 8 9 10"
datasets_ymax = 3854.3399999999997
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 6
variants_lt = "1 2 3 12 4 5"
L_ymax = 3150.3
K_ymax = 3119.9
nthreads_series = 6
threads_lt = "1 2 3 12 4 5"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
