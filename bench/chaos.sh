#!/usr/bin/env bash
#
# Fault soak: three Chronik nodes from the distribution, an idempotent acks=all producer and a consumer group,
# nodes killed with SIGKILL and restarted, or frozen with SIGSTOP and thawed, for the given time; then every
# acknowledged record is checked (bench/Chaos.java says how); some faults are leader moves through chronik-cli.
# Not a test: CI does not run it.
#
#   mvn -B -DskipTests package       # once: builds dist/target/chronik/
#   bench/chaos.sh [SECONDS [RATE [RECORD_BYTES]]]  # default 300 s at 1000 records/s of 100 bytes
#
# Leaves bench/work/chaos-<timestamp>/ with the cluster file, every node's log, client.log and output.txt; exits 1 if
# an acknowledged record was lost, duplicated, moved or reordered, or the consumer group never saw it.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$BENCH_DIR/work"
KAFKA_LIB="$WORK/kafka-lib"
SECONDS_UNDER_FAULTS="${1:-300}"
RATE="${2:-1000}"
RECORD_BYTES="${3:-100}"

if [ ! -x "$ROOT/dist/target/chronik/bin/chronik-server" ]; then
  echo "chaos.sh: dist/target/chronik/bin/chronik-server is missing: run 'mvn -B -DskipTests package' first" >&2
  exit 1
fi
if [ ! -f "$KAFKA_LIB/.complete" ]; then
  rm -rf "$KAFKA_LIB"
  mvn -B -q -f "$BENCH_DIR/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIB"
  touch "$KAFKA_LIB/.complete"
fi
export CHRONIK_HEAP_OPTS="${CHRONIK_HEAP_OPTS:--Xms512m -Xmx512m}"
RUN="$WORK/chaos-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
# A private copy, so a rebuild during the soak cannot swap jars under the nodes.
cp -a "$ROOT/dist/target/chronik" "$RUN/chronik"
# The clients log every retry at WARN; during a soak that is thousands of lines, so only errors are shown and the
# warnings go to client.log, to match a failed send with what the client saw.
cat > "$RUN/client-log4j2.xml" <<XML
<Configuration status="warn">
  <Appenders>
    <Console name="err" target="SYSTEM_ERR"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/></Console>
    <File name="file" fileName="$RUN/client.log"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n"/></File>
  </Appenders>
  <Loggers>
    <Root level="warn"><AppenderRef ref="err" level="error"/><AppenderRef ref="file"/></Root>
  </Loggers>
</Configuration>
XML
java -Dlog4j2.configurationFile="$RUN/client-log4j2.xml" -cp "$KAFKA_LIB/*" "$BENCH_DIR/Chaos.java" \
  "$RUN/chronik/bin/chronik-server" "$RUN" "$SECONDS_UNDER_FAULTS" "$RATE" "$RECORD_BYTES" 2>&1 | tee "$RUN/output.txt"
exit "${PIPESTATUS[0]}"
