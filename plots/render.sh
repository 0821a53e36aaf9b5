#!/usr/bin/env bash
# plots/render.sh - regenerates every chart of a results folder (PNG + SVG)
# into RESULTS_FOLDER/charts/.
#
#   bash plots/render.sh [RESULTS_FOLDER]   (default: the newest results folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi
folder=${1:-$(ls -dt "$root"/results/*/ 2>/dev/null | head -1)}
[ -n "$folder" ] && [ -f "$folder/results.csv" ] || { echo "render.sh: no results.csv in '${folder:-results/}'" >&2; exit 1; }
folder=${folder%/}
python3 "$here/prepare.py" "$folder"
charts="$folder/charts"
ncols=$(wc -w < "$charts/columns.txt")
nscalar=$(wc -w < "$charts/scalar.txt")
sweep=$(cat "$charts/sweep_dataset.txt" 2>/dev/null || echo "")
for gp in datasets size entropy L K bits split; do
  dat="$charts/$gp.dat"
  [ "$gp" = size ] || [ "$gp" = entropy ] || [ "$gp" = datasets ] || [ -n "$sweep" ] || continue
  # A chart needs at least one data row.
  [ "$(tail -n +2 "$dat" 2>/dev/null | wc -l)" -gt 0 ] || { echo "render.sh: no data for $gp, skipped"; continue; }
  for fmt in png svg; do
    gnuplot -e "dir='$here'; data='$charts'; out='$charts/$gp'; fmt='$fmt'; ncols=$ncols; nscalar=$nscalar; sweep='$sweep'" \
      "$here/$gp.gp"
  done
done
echo "render.sh: charts in $charts"
