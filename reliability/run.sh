#!/usr/bin/env bash
# The reliability harness (issue 17): builds what is needed, then runs the experiments on separate JVMs and real
# redis-server processes, one line per experiment. Figures for RELIABILITY.md come from the full run.
#   reliability/run.sh                 full run (minutes on 2 cores)
#   reliability/run.sh --short         the short form the build runs
#   reliability/run.sh --broken-lock   the fleet with a lock that does not lock: shows what the experiments catch
#   reliability/run.sh --only=1,3      some experiments
# Exit code non-zero when any experiment fails. Results also go to reliability/target/reliability/results-*.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ ! -f reliability/target/fleet.classpath || -n "$(find token-starter-autoconfigure/src reliability/src -newer reliability/target/fleet.classpath -type f | head -1)" ]]; then
  ./mvnw -B -q -o -pl reliability -am -DskipTests -Dinvoker.skip package
fi
exec java -Dreliability.classes=reliability/target/classes \
  -Dreliability.classpath=reliability/target/fleet.classpath \
  -Dreliability.output=reliability/target/reliability \
  -cp "reliability/target/classes:$(cat reliability/target/fleet.classpath)" \
  dev.tokenstarter.reliability.runner.ReliabilityRunner "$@"
