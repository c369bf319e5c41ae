#!/usr/bin/env bash
#
# Chronik vs Apache Kafka, side by side, on loopback, with Kafka's own perf tools.
#
#   mvn -B -DskipTests package     # once: builds dist/target/chronik/
#   bench/run.sh                   # full run: 1,000,000 x 100 B and 300,000 x 1 KiB
#   bench/run.sh --quick           # 10x fewer records, for a smoke check
#   bench/run.sh --kafka-only      # only the Kafka half (no Chronik build needed)
#
# What it does, in this order:
#   1. fetches an Apache Kafka 4.x broker and its tools from Maven Central (bench/kafka/pom.xml) into
#      bench/work/kafka-lib/ (once; delete that folder to refetch);
#   2. for each broker in turn (Kafka first, then Chronik, never both at once so they don't share the
#      2 cores): starts it on a free 127.0.0.1 port with a fresh data dir under bench/work/, creates the
#      topics with 3 partitions, runs org.apache.kafka.tools.ProducerPerformance (acks=all, --throughput -1)
#      and then org.apache.kafka.tools.ConsumerPerformance reading the same messages back, and stops it;
#   3. prints a side-by-side table with the Chronik/Kafka ratio, and saves it with every raw output under
#      bench/work/results-<timestamp>/.
# Both brokers get the same heap (BENCH_HEAP, default -Xms1g -Xmx1g) and the same G1 flags; the client
# tools are the same jars for both. This is a benchmark, not a test: it asserts nothing and CI never runs it.
#
# Fairness note: a single Kafka broker acknowledges acks=all once the batch is in its page cache (it does
# not fsync per write); Chronik acknowledges after its log is fsync'd (group commit). Read the figures with
# that in mind; BENCH_KAFKA_FSYNC=1 makes Kafka fsync every message batch (log.flush.interval.messages=1).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$BENCH_DIR/work"
KAFKA_LIB="$WORK/kafka-lib"
CHRONIK_HOME="$ROOT/dist/target/chronik"
HEAP="${BENCH_HEAP:--Xms1g -Xmx1g}"
GC="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent"
TOOL_OPTS="-Xmx1g -Dlog4j2.configurationFile=$BENCH_DIR/kafka/log4j2.xml"
STEP_TIMEOUT=900

scale=1
run_chronik=1
run_kafka=1
for arg in "$@"; do
  case "$arg" in
    --quick) scale=10 ;;
    --kafka-only) run_chronik=0 ;;
    --chronik-only) run_kafka=0 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# name  records  record-size
WORKLOADS=(
  "small $((1000000 / scale)) 100"
  "large $((300000 / scale)) 1024"
)

RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS"
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

broker_pid=""
stop_broker() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$broker_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  broker_pid=""
}
trap stop_broker EXIT
trap 'exit 130' INT TERM

free_port() {
  # Asking the kernel is the only reliable way; python3 is on every machine this runs on.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() {
  local port=$1 name=$2 logfile=$3
  for _ in $(seq 1 120); do
    if ! kill -0 "$broker_pid" 2>/dev/null; then
      log "$name exited during startup; last lines of $logfile:"; tail -n 30 "$logfile" >&2; return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  log "$name did not listen on $port within 60 s"; tail -n 30 "$logfile" >&2; return 1
}

fetch_kafka() {
  if [ -f "$KAFKA_LIB/.complete" ]; then return; fi
  log "fetching Kafka broker and tools into $KAFKA_LIB (Maven)"
  rm -rf "$KAFKA_LIB"
  mvn -B -q -f "$BENCH_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB"
  touch "$KAFKA_LIB/.complete"
}

kafka_tool() {
  # shellcheck disable=SC2086
  timeout "$STEP_TIMEOUT" java $TOOL_OPTS -cp "$KAFKA_LIB/*" "$@"
}

start_kafka() {
  local port=$1 dir="$WORK/kafka-data" props="$RESULTS/kafka-server.properties"
  local controller_port
  controller_port="$(free_port)"
  rm -rf "$dir"
  cat > "$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  if [ "${BENCH_KAFKA_FSYNC:-0}" = "1" ]; then
    echo "log.flush.interval.messages=1" >> "$props"
  fi
  local cluster_id
  cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid | tail -n 1)"
  kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$props" > "$RESULTS/kafka-format.log" 2>&1
  log "starting Kafka on 127.0.0.1:$port (data in $dir)"
  # shellcheck disable=SC2086
  java $HEAP $GC -XX:+ExitOnOutOfMemoryError -Dlog4j2.configurationFile="$BENCH_DIR/kafka/log4j2.xml" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$props" > "$RESULTS/kafka-broker.log" 2>&1 &
  broker_pid=$!
  wait_for_port "$port" Kafka "$RESULTS/kafka-broker.log"
}

start_chronik() {
  local port=$1 dir="$WORK/chronik-data" yaml="$RESULTS/chronik.yaml"
  rm -rf "$dir"
  cat > "$yaml" <<EOF
cluster_name: chronik-bench
nodes:
  - id: 1
    host: 127.0.0.1
    kafka_port: $port
    raft_port: $(free_port)
    admin_port: $(free_port)
topic_defaults:
  partitions: 3
  replication_factor: 1
  auto_create: true
  retention_ms: 604800000
  retention_bytes: -1
  segment_bytes: 1073741824
  segment_ms: 604800000
  max_message_bytes: 1048588
server:
  data_dir: $dir
  max_frame_bytes: 104857600
  retention_check_interval_ms: 30000
  group_initial_rebalance_delay_ms: 0
EOF
  log "starting Chronik on 127.0.0.1:$port (data in $dir)"
  CHRONIK_HEAP_OPTS="$HEAP" CHRONIK_GC_OPTS="$GC" \
    "$CHRONIK_HOME/bin/chronik-server" start "$yaml" --node-id 1 > "$RESULTS/chronik-broker.log" 2>&1 &
  broker_pid=$!
  wait_for_port "$port" Chronik "$RESULTS/chronik-broker.log"
}

# Runs every workload against the broker on $2 and leaves one "key value" line per figure in
# $RESULTS/<broker>.figures. A failing step is logged and recorded as missing, so the other broker still runs.
run_workloads() {
  local broker=$1 port=$2 bootstrap="127.0.0.1:$2" figures="$RESULTS/$1.figures"
  : > "$figures"
  for workload in "${WORKLOADS[@]}"; do
    read -r name records size <<< "$workload"
    local topic="bench-$name" out="$RESULTS/$broker-$name"
    if ! kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
        --topic "$topic" --partitions 3 --replication-factor 1 > "$out-topic.txt" 2>&1; then
      log "$broker: TopicCommand failed (see $out-topic.txt); relying on auto-create with 3 partitions"
    fi
    log "$broker: producing $records x $size B to $topic"
    if kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
        --record-size "$size" --throughput -1 \
        --producer-props acks=all "bootstrap.servers=$bootstrap" > "$out-producer.txt" 2>&1; then
      # e.g. "1000000 records sent, 250000.0 records/sec (23.84 MB/sec), 95.3 ms avg latency, 400.0 ms max
      #       latency, 80 ms 50th, 200 ms 95th, 250 ms 99th, 390 ms 99.9th."
      grep ' 99th' "$out-producer.txt" | tail -n 1 | sed -E \
        's/^[0-9]+ records sent, ([0-9.]+) records\/sec \(([0-9.]+) MB\/sec\), ([0-9.]+) ms avg latency.* ([0-9.]+) ms 99th.*$/produce.rps \1\nproduce.mbs \2\nproduce.avg \3\nproduce.p99 \4/' \
        | sed "s/^/$name./" >> "$figures"
    else
      log "$broker: ProducerPerformance failed (see $out-producer.txt)"
      continue
    fi
    log "$broker: consuming $records from $topic"
    if kafka_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bootstrap" --topic "$topic" \
        --messages "$records" --timeout 60000 > "$out-consumer.txt" 2>&1; then
      # header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
      awk -F', *' -v n="$name" '
        /start.time/ { for (i = 1; i <= NF; i++) col[$i] = i; next }
        col["MB.sec"] && NF >= 6 { print n ".consume.mbs " $col["MB.sec"]; print n ".consume.rps " $col["nMsg.sec"] }
      ' "$out-consumer.txt" | tail -n 2 >> "$figures"
    else
      log "$broker: ConsumerPerformance failed (see $out-consumer.txt)"
    fi
  done
}

figure() {
  local file="$RESULTS/$1.figures"
  if [ -f "$file" ]; then awk -v k="$2" '$1 == k { v = $2 } END { print v }' "$file"; fi
}

# MB/s with two decimals, everything else (records/s, ms) as whole numbers.
pretty() {
  case "$2" in
    '') echo "n/a" ;;
    *) case "$1" in
         *.mbs) awk -v v="$2" 'BEGIN { printf "%.2f", v }' ;;
         *) awk -v v="$2" 'BEGIN { printf "%.0f", v }' ;;
       esac ;;
  esac
}

print_table() {
  local rows=(
    "produce.rps|records/s (produce)"
    "produce.mbs|MB/s (produce)"
    "produce.avg|avg latency ms (produce)"
    "produce.p99|p99 latency ms (produce)"
    "consume.rps|records/s (consume)"
    "consume.mbs|MB/s (consume)"
  )
  echo "| workload | metric | Kafka ${KAFKA_VERSION} | Chronik | Chronik/Kafka |"
  echo "|---|---|---:|---:|---:|"
  for workload in "${WORKLOADS[@]}"; do
    read -r name records size <<< "$workload"
    for row in "${rows[@]}"; do
      local key="${row%%|*}" label="${row#*|}" k c ratio
      k="$(figure kafka "$name.$key")"; c="$(figure chronik "$name.$key")"
      ratio="$(awk -v k="$k" -v c="$c" 'BEGIN { if (k != "" && c != "" && k + 0 > 0) printf "%.2f", c / k; else print "n/a" }')"
      echo "| $records x $size B | $label | $(pretty "$key" "$k") | $(pretty "$key" "$c") | $ratio |"
    done
  done
}

KAFKA_VERSION="$(sed -n 's/.*<kafka.bench.version>\(.*\)<\/kafka.bench.version>.*/\1/p' "$BENCH_DIR/kafka/pom.xml")"
fetch_kafka
if [ "$run_chronik" = 1 ] && [ ! -x "$CHRONIK_HOME/bin/chronik-server" ]; then
  echo "run.sh: $CHRONIK_HOME/bin/chronik-server is missing: run 'mvn -B -DskipTests package' first (or pass --kafka-only)" >&2
  exit 1
fi

{
  echo "date: $(date -Is)"; echo "host: $(uname -srm), $(nproc) cores"
  java -version 2>&1 | head -n 1
  echo "heap: $HEAP"; echo "gc: $GC"; echo "scale: 1/$scale"; echo "kafka fsync per batch: ${BENCH_KAFKA_FSYNC:-0}"
  # Other work on the machine skews every figure: keep the load next to the results.
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RESULTS/environment.txt"

if [ "$run_kafka" = 1 ]; then
  port="$(free_port)"
  start_kafka "$port"
  run_workloads kafka "$port"
  stop_broker
fi
if [ "$run_chronik" = 1 ]; then
  port="$(free_port)"
  start_chronik "$port"
  run_workloads chronik "$port"
  stop_broker
fi

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/environment.txt"
cat "$RESULTS/environment.txt" >&2
print_table | tee "$RESULTS/table.md"
log "raw outputs in $RESULTS"
