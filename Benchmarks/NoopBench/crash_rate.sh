#!/usr/bin/env bash
# Fresh first builds of the no-op driver's 10,000-derive project, counting crashes (exit >= 128).
# Usage: Benchmarks/NoopBench/crash_rate.sh KILN_BINARY PROJECT_DIR RUNS
# PROJECT_DIR is a project noop_bench.py made (its kiln/ folder); each run removes .kiln, outputs
# and kiln.lock first, so every build derives all 10,000 images concurrently.
set -u
bin=$1; project=$2; runs=${3:-5}
crashed=0
for i in $(seq 1 "$runs"); do
  rm -rf "$project/.kiln" "$project/outputs" "$project/kiln.lock"
  (cd "$project" && VIPS_WARNING=0 "$bin" build --provider placeholder > /dev/null 2>&1)
  code=$?
  echo "run $i: exit $code"
  [ "$code" -ge 128 ] && crashed=$((crashed + 1))
done
echo "crashed in $crashed of $runs fresh builds"
