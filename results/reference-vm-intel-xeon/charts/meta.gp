# Written by plots/prepare.py: what the chart scripts need to know.
lt_hybrid = 23
lt_multisym = 24
nseries = 16
series_lt = "22 23 24 25 26 27 28 29 30 31 32 6 7 8 9 10"
datasets_ymax = 26175.149999999998
generated_ymax = 0.0
sweep = "lcet10.txt"
nvariants = 11
variants_lt = "22 23 24 25 26 27 28 29 30 31 32"
L_ymax = 9911.2
K_ymax = 9701.7
nthreads_series = 11
threads_lt = "22 23 24 25 26 27 28 29 30 31 32"
serve_dataset = "bible.txt"
process_dataset = "bible.txt"
cores = "2"
cpu = "Intel(R) Xeon(R) Processor"
