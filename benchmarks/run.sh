#!/usr/bin/env bash
# Builds the benchmarks jar, runs every JMH benchmark once with the GC profiler, then the fleet load harness,
# the key memory measurement and the users' fleet harness, and rewrites benchmarks/RESULTS.md from their JSON
# results: about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -q -pl benchmarks -am package -DskipTests
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar=benchmarks/target/benchmarks.jar
results=benchmarks/target/results.json
fleet=benchmarks/target/fleet.json
memory=benchmarks/target/key-memory.json
users=benchmarks/target/user-fleet.json
# Shorter iterations than the classes' own (3 × 2 s warm-up, 5 × 2 s measurement), so that 20 benchmarks and the
# fleet harness fit in a few minutes on 2 cores; RESULTS.md says which were used.
# DpopBenchmarks is left out (report.py reads only the per-call cases): its "DPoP" section of RESULTS.md is run by
# hand, with the command given there, and report.py carries it over.
# Two forks: one fork's JIT profile moved the floor itself by up to 10 % between runs, more than JMH's error bar
# within a fork, so a single fork's ratio was as much that profile as the code; two forks put it in the error.
"$java" -jar "$jar" -e DpopBenchmarks -f 2 -prof gc -wi 3 -w 1s -i 5 -r 1s -rf json -rff "$results"
"$java" -cp "$jar" dev.tokenstarter.benchmarks.fleet.FleetHarness "$fleet"
"$java" -Xmx2g -cp "$jar" dev.tokenstarter.benchmarks.KeyMemory "$memory"
"$java" -cp "$jar" dev.tokenstarter.benchmarks.fleet.UserFleetHarness "$users"
python3 benchmarks/report.py "$results" "$fleet" "$memory" "$users" benchmarks/RESULTS.md
echo "Rewrote benchmarks/RESULTS.md"
