# bits.gp - the table widths: hybrid's first-tier short_bits and multisym's
# table_bits, at the default L=11 and at L=15.
load dir . "/common.gp"
set title "Decode throughput against table width (" . sweep . ")" noenhanced
set xlabel "table width (bits): hybrid short_bits, multisym table_bits" noenhanced
set xtics 1
plot data . "/bits.dat" using 1:2 title columnhead(2) lt 2, \
     "" using 1:3 title columnhead(3) lt 2 dt 2, \
     "" using 1:4 title columnhead(4) lt 3, \
     "" using 1:5 title columnhead(5) lt 3 dt 2
