#!/usr/bin/env bash
# plots/render.sh - regenerates every chart of a results folder, PNG and
# SVG, into RESULTS_FOLDER/charts/. prepare.py turns results.csv (and the
# cachegrind counts of profile.csv) into small data files; one gnuplot
# script per chart draws them. A chart whose data
# the run does not have (e.g. threads without a server) is skipped with a
# note, so a --data or --quick run still renders what it measured.
#
#   bash plots/render.sh [RESULTS_FOLDER]   (default: the newest run, a folder with results.csv, profile.csv
#                                            or producers.csv)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ $# -ge 1 ] && { [ "$1" = -h ] || [ "$1" = --help ]; }; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi
# Default: the newest folder that holds a run (some hold development notes).
folder=${1:-$(ls -t "$root"/results/*/results.csv "$root"/results/*/profile.csv "$root"/results/*/producers.csv \
  2>/dev/null | head -n 1 | xargs -r dirname)}
folder=${folder%/}
[ -n "$folder" ] && { [ -f "$folder/results.csv" ] || [ -f "$folder/profile.csv" ] || [ -f "$folder/producers.csv" ]; } ||
  { echo "render.sh: no results.csv, profile.csv or producers.csv in '${folder:-results/}' (run scripts/bench.sh first)" >&2
    exit 1; }
command -v gnuplot >/dev/null || { echo "render.sh: gnuplot is missing (bash scripts/deps.sh bench)" >&2; exit 1; }
python3 "$here/prepare.py" "$folder"
charts="$folder/charts"
rm -f "$charts"/*.png "$charts"/*.svg
made=() skipped=()
# chart:data file it needs
for entry in datasets:datasets generated:generated size:size entropy:entropy L:L K:K_segmented \
             bits:bits split:split threads:threads process:process profile_instructions:profile_L \
             profile_d1:profile_d1 profile_mispredicts:profile_entropy strategy:strategy producers:producers; do
  gp=${entry%%:*} dat="$charts/${entry#*:}.dat"
  # A chart needs at least one data row.
  if [ ! -f "$dat" ] || [ "$(tail -n +2 "$dat" | wc -l)" -eq 0 ]; then
    skipped+=("$gp")
    continue
  fi
  for fmt in png svg; do
    gnuplot -e "dir='$here'; data='$charts'; out='$charts/$gp'; fmt='$fmt'" "$here/$gp.gp" 2>&1 |
      grep -v 'Skipping data file with no valid points' >&2 || true
  done
  made+=("$gp")
done
[ ${#skipped[@]} -eq 0 ] || echo "render.sh: no data in this run for ${skipped[*]}: skipped"
echo "render.sh: ${#made[@]} charts (${made[*]}) in $charts"
