# Written by plots/prepare.py: what the chart scripts need to know.
nseries = 12
series_lt = "1 2 3 12 4 5 13 6 7 8 9 10"
datasets_ymax = 5503.784999999999
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 7
variants_lt = "1 2 3 12 4 5 13"
L_ymax = 3094.0
K_ymax = 3943.1
nthreads_series = 7
threads_lt = "1 2 3 12 4 5 13"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
