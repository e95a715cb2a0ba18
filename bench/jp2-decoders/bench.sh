#!/bin/bash
B=${B:-target/release/jbench}
for m in opj-tiles hayro opj; do
  /usr/bin/time -v $B $m big.jp2 out_$m.raw 10980 10980 > run_$m.log 2>&1
  echo "$m $(grep -E 'decoded in' run_$m.log) rss_kb=$(grep 'Maximum resident' run_$m.log | awk '{print $6}') wall=$(grep 'Elapsed' run_$m.log | awk '{print $8}') exact_vs_gdal=$(cmp -s out_$m.raw gdal.raw && echo yes || echo NO)" >> bench.txt
  rm -f out_$m.raw
done
