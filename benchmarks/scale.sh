#!/usr/bin/env bash
# Builds the benchmarks jar and runs the scale experiment (issue 20): N = 3, 30, 100, 300 instances of the starter
# on one redis-server, a cold start, three token lifetimes of steady renewals and a revocation per N. About
# 10 minutes on a quiet 2-core machine, far longer on a loaded one (starting 300 application contexts dominates).
# Arguments: the sizes (default 3,30,100,300) and the JSON output (default benchmarks/target/scale.json).
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -q -pl benchmarks -am package -DskipTests
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
echo "load average before: $(cat /proc/loadavg)"
# 300 full contexts hold about 2 GB of heap and 13 threads each; 512k stacks keep ~4000 threads' memory small.
"$java" -Xmx8g -Xss512k -cp benchmarks/target/benchmarks.jar dev.tokenstarter.benchmarks.scale.ScaleExperiment \
	"${1:-3,30,100,300}" "${2:-benchmarks/target/scale.json}"
echo "load average after: $(cat /proc/loadavg)"
