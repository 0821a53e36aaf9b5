# bits.gp - the table-width parameters: hybrid short_bits, multisym table_bits.
load dir . "/common.gp"
set title "Table width: hybrid short_bits and multisym table_bits (" . sweep . ")" noenhanced
set xlabel "table width (bits)"
set ylabel "MB/s of decoded bytes"
set xtics 1
set yrange [0:*]
plot for [i=2:5] data . "/bits.dat" using 1:i title columnhead(i)
