# bits.gp - the table widths: hybrid's first-tier short_bits and multisym's
# table_bits, at the default L=11 and at L=15.
load dir . "/common.gp"
set title "Decode throughput against table width (" . sweep . ")" noenhanced
set xlabel "table width (bits): hybrid short_bits, multisym table_bits" noenhanced
set xtics 1
set style data yerrorlines
plot data . "/bits.dat" using 1:2:3:4 title columnhead(2) lt lt_hybrid, \
     "" using 1:5:6:7 title columnhead(5) lt lt_hybrid dt 2, \
     "" using 1:8:9:10 title columnhead(8) lt lt_multisym, \
     "" using 1:11:12:13 title columnhead(11) lt lt_multisym dt 2
