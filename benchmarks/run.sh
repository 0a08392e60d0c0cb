#!/usr/bin/env bash
# Builds the benchmarks jar, runs every JMH benchmark once with the GC profiler (about 5 minutes on 2 cores),
# and rewrites benchmarks/RESULTS.md from the JSON results.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -q -pl benchmarks -am package -DskipTests
results=benchmarks/target/results.json
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -jar benchmarks/target/benchmarks.jar -prof gc -rf json -rff "$results"
python3 benchmarks/report.py "$results" benchmarks/RESULTS.md
echo "Rewrote benchmarks/RESULTS.md"
