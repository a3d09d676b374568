#!/usr/bin/env bash
# Ingest benchmark (not a test). Generates a gzipped market, then in the same
# run times the reference — `zcat` of every table the engine reads into
# `wc -l` — and `sourcetrace ingest` on the same files. Prints one JSON
# object: rows, rows/s, both times, their ratio (goal <= 2), peak RSS.
#
#   bench/ingest.sh [SELLERS=1000000] [WORKDIR=/tmp/sourcetrace-bench] [BINARY]
set -euo pipefail
sellers=${1:-1000000}
work=${2:-/tmp/sourcetrace-bench}
bin=${3:-$(dirname "$0")/../build/release/sourcetrace}
data=$work/market-$sellers

mkdir -p "$work"
gen_seconds=null
if [[ ! -f $data/shipments.csv.gz ]]; then
  start=$(date +%s.%N)
  "$bin" generate "$data" --sellers "$sellers" --gzip >/dev/null
  gen_seconds=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN{printf "%.2f", a-b}')
fi
tables=()
for t in entities seller_links stock payments shipments evidence; do
  [[ -f $data/$t.csv.gz ]] && tables+=("$data/$t.csv.gz")
done
sync

# Reference: decompress and count lines, single pass, same files.
ref=$( { /usr/bin/time -f "%e %M" bash -c 'zcat "$@" | wc -l' _ "${tables[@]}" >/dev/null; } 2>&1 | tail -1)
ref_seconds=${ref% *}
lines=$(zcat "${tables[@]}" | wc -l)

run=$( { /usr/bin/time -f "%e %M" "$bin" ingest "$data" --out "$work/graph.h5" --threads 2 >"$work/ingest.out"; } 2>&1 | tail -1)
ingest_seconds=${run% *}
ingest_rss_kib=${run#* }
rows=$(( lines - ${#tables[@]} ))

cat <<JSON
{"benchmark": "ingest", "sellers": $sellers, "tables": ${#tables[@]}, "rows": $rows,
 "generate_seconds": $gen_seconds,
 "reference": "zcat | wc -l", "reference_seconds": $ref_seconds,
 "ingest_seconds": $ingest_seconds,
 "ratio": $(awk -v a="$ingest_seconds" -v b="$ref_seconds" 'BEGIN{printf "%.3f", a/b}'),
 "rows_per_second": $(awk -v a="$rows" -v b="$ingest_seconds" 'BEGIN{printf "%d", a/b}'),
 "peak_rss_mib": $(awk -v a="$ingest_rss_kib" 'BEGIN{printf "%.1f", a/1024}'),
 "summary": "$(sed 's/"/\\"/g' "$work/ingest.out")"}
JSON
