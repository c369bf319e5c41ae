#!/usr/bin/env bash
#
# Chronik vs Apache Kafka, side by side, on loopback, with Kafka's own perf tools.
#
#   mvn -B -DskipTests package     # once: builds dist/target/chronik/
#   bench/run.sh                   # single node each: 1,000,000 x 100 B, 300,000 x 1 KiB, latency at 2,000/s
#   bench/run.sh --cluster         # three nodes each, replication factor 3, the same workloads
#   bench/run.sh --quick           # 10x fewer records (either mode), for a smoke check
#   bench/run.sh --warm            # (either mode) an untimed warm-up before the measured workloads
#   bench/run.sh --warm=N          # N rounds of warm-up (--warm is one): JIT compilers settle after several
#   bench/run.sh --kafka-only | --chronik-only
#   bench/run.sh --rounds=N        # (either mode) N rounds, each system started fresh in each, the order swapped
#                                  # every round (Kafka first in odd rounds); a table per round and the median ratios
#
# What it does, in this order:
#   1. fetches an Apache Kafka 4.x broker and its tools from Maven Central (bench/kafka/pom.xml) into
#      bench/work/kafka-lib/ (once; delete that folder to refetch), and copies dist/target/chronik/ to
#      bench/work/chronik-dist/ so a concurrent rebuild cannot change the jars under a running node;
#   2. for each system in turn (Kafka first, then Chronik, never both at once so they don't share the
#      2 cores): starts it (1 node, or 3 nodes on free 127.0.0.1 ports) with fresh data dirs under
#      bench/work/, creates the topics (3 partitions; replication factor 1, or 3 in --cluster mode), waits
#      until every node, asked directly, lists all brokers and a leader for every partition
#      (bench/ClusterReady.java), then (with --warm) produces and consumes the warm-up workload untimed and
#      runs `sync`, then runs, each preceded by a load-average record:
#        - throughput: ProducerPerformance acks=all --throughput -1, then ConsumerPerformance reading back;
#        - latency: ProducerPerformance 60,000 x 1 KiB at --throughput 2000, acks=all linger.ms=0;
#      and stops it;
#   3. prints side-by-side tables with the Chronik/Kafka ratio, and saves them with every raw output,
#      the generated configs, the node logs and load.txt under bench/work/results-<timestamp>/.
# Every node of both systems gets the same heap (BENCH_HEAP; default -Xms1g -Xmx1g for one node,
# -Xms512m -Xmx512m per node in --cluster mode) and the same G1 flags; the client tools are the same jars
# for both. This is a benchmark, not a test: it asserts nothing and CI never runs it. The machine's load
# skews every figure: the script warns when the 1-minute load average is above 1.5 at the start.
# Environment: BENCH_HEAP, BENCH_KAFKA_FSYNC=1 (below), BENCH_KEEP_DATA=1 (keep data dirs after the run),
# BENCH_WAIT_QUIET=SECONDS (wait up to that long for the load average to drop to 1.5 before each system).
#
# Fairness notes (docs/performance.md has more):
#  - single node: Kafka acknowledges acks=all once the batch is in its page cache (no fsync per write);
#    Chronik acknowledges after its log is fsync'd (group commit). BENCH_KAFKA_FSYNC=1 makes Kafka fsync
#    every message batch (log.flush.interval.messages=1).
#  - --cluster: both replicate every record to 3 nodes. Kafka: 3 combined broker+controller nodes (KRaft,
#    3-voter controller quorum), min.insync.replicas=2, acks=all waits for the whole in-sync set, in page
#    cache. Chronik: each partition a Raft group of 3, acked once 2 of 3 have it fsync'd.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$BENCH_DIR/work"
KAFKA_LIB="$WORK/kafka-lib"
CHRONIK_SOURCE="$ROOT/dist/target/chronik"
CHRONIK_HOME="$WORK/chronik-dist"
READY_CLASSES="$WORK/ready-classes"
GC="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent"
TOOL_OPTS="-Xmx1g -Dlog4j2.configurationFile=$BENCH_DIR/kafka/log4j2.xml"
STEP_TIMEOUT=900
READY_TIMEOUT=180
LOAD_WARN=1.5

scale=1
warm=0
rounds=1
nodes=1
run_chronik=1
run_kafka=1
for arg in "$@"; do
  case "$arg" in
    --quick) scale=10 ;;
    --warm) warm=1 ;;
    --warm=*)
      warm="${arg#--warm=}"
      case "$warm" in
        ''|*[!0-9]*|0) echo "run.sh: --warm=N needs a number of rounds >= 1, got '$arg'" >&2; exit 2 ;;
      esac ;;
    --rounds=*)
      rounds="${arg#--rounds=}"
      case "$rounds" in
        ''|*[!0-9]*|0) echo "run.sh: --rounds=N needs a number of rounds >= 1, got '$arg'" >&2; exit 2 ;;
      esac ;;
    --cluster) nodes=3 ;;
    --kafka-only) run_chronik=0 ;;
    --chronik-only) run_kafka=0 ;;
    -h|--help) sed -n '2,42p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done
if [ "$nodes" = 3 ]; then
  HEAP="${BENCH_HEAP:--Xms512m -Xmx512m}"; rf=3; mode=cluster
else
  HEAP="${BENCH_HEAP:--Xms1g -Xmx1g}"; rf=1; mode=single
fi
PARTITIONS=3

# name  records  record-size  (throughput workloads: as fast as the client can)
WORKLOADS=(
  "small $((1000000 / scale)) 100"
  "large $((300000 / scale)) 1024"
)
# Latency at a fixed rate: 30 s of 1 KiB records at 2,000/s (3 s with --quick).
LATENCY_RECORDS=$((60000 / scale))
LATENCY_SIZE=1024
LATENCY_RATE=2000
TOPICS="bench-small,bench-large,bench-latency"
# --warm: what each system's JVMs run before anything is measured. Without it both start cold, and on 2 cores the
# JIT compilers of the brokers keep a large share of the CPU for the first minutes (docs/performance.md).
WARMUP_WORKLOADS=(
  "small $((1000000 / scale)) 100"
  "large $((300000 / scale)) 1024"
)
if [ "$warm" -gt 0 ]; then TOPICS="$TOPICS,bench-warmup-small,bench-warmup-large"; fi

RESULTS="$WORK/results-$(date +%Y%m%d-%H%M%S)-$mode"
mkdir -p "$RESULTS"
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

broker_pids=()
stop_brokers() {
  local pid
  for pid in "${broker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${broker_pids[@]}"; do
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  broker_pids=()
}
trap stop_brokers EXIT
trap 'exit 130' INT TERM

free_port() {
  # Asking the kernel is the only reliable way; python3 is on every machine this runs on.
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

load1() { cut -d' ' -f1 /proc/loadavg; }

CLK_TCK="$(getconf CLK_TCK)"
# CPU time (user + system, in clock ticks) used so far by all running broker JVMs. A broker's CPU seconds
# per workload say more about its efficiency than its throughput does when others share the cores.
broker_ticks() {
  local pid total=0 t
  for pid in "${broker_pids[@]}"; do
    # Fields after "(comm) ": state is 1st, utime 12th, stime 13th.
    t="$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
cpu_seconds_since() { awk -v a="$1" -v b="$(broker_ticks)" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", (b - a) / hz }'; }
# Context switches of the whole machine so far (client, brokers, kernel). On 2 shared cores a thread hand-off costs a
# switch, and per record these say how much of a system's CPU goes to handing work between threads.
switches() { awk '/^ctxt/ { print $2 }' /proc/stat; }
kilo_switches_since() { echo $(( ($(switches) - $1) / 1000 )); }

# With BENCH_WAIT_QUIET=SECONDS, waits up to that long for the 1-minute load average to drop to LOAD_WARN
# (checked before each system starts, so the second one does not start in the first one's wake).
wait_quiet() {
  local limit="${BENCH_WAIT_QUIET:-0}" waited=0
  while [ "$waited" -lt "$limit" ] && awk -v l="$(load1)" -v m="$LOAD_WARN" 'BEGIN { exit !(l > m) }'; do
    if [ "$waited" = 0 ]; then log "waiting up to $limit s for the load average ($(load1)) to drop to $LOAD_WARN"; fi
    sleep 10; waited=$((waited + 10))
  done
}

# One line per measured step in load.txt: the machine is shared, and figures taken under load mean little.
record_load() {
  echo "$1: $(uptime)" >> "$RESULTS/load.txt"
}

wait_for_port() {
  local pid=$1 port=$2 name=$3 logfile=$4
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during startup; last lines of $logfile:"; tail -n 30 "$logfile" >&2; return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  log "$name did not listen on $port within 120 s"; tail -n 30 "$logfile" >&2; return 1
}

fetch_kafka() {
  if [ -f "$KAFKA_LIB/.complete" ]; then return; fi
  log "fetching Kafka broker and tools into $KAFKA_LIB (Maven)"
  rm -rf "$KAFKA_LIB"
  mvn -B -q -f "$BENCH_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIB"
  touch "$KAFKA_LIB/.complete"
}

# A private copy of the distribution, checked jar by jar: others rebuild dist/target/chronik/ at any time.
copy_chronik() {
  if [ ! -x "$CHRONIK_SOURCE/bin/chronik-server" ]; then
    echo "run.sh: $CHRONIK_SOURCE/bin/chronik-server is missing: run 'mvn -B -DskipTests package' first (or pass --kafka-only)" >&2
    exit 1
  fi
  local attempt jar ok
  for attempt in 1 2 3; do
    rm -rf "$CHRONIK_HOME"
    cp -a "$CHRONIK_SOURCE" "$CHRONIK_HOME"
    ok=1
    for jar in "$CHRONIK_HOME"/lib/chronik-*.jar; do
      if ! unzip -tq "$jar" > /dev/null 2>&1; then ok=0; fi
    done
    if [ "$ok" = 1 ] && compgen -G "$CHRONIK_HOME/lib/chronik-server-*.jar" > /dev/null; then
      log "copied $CHRONIK_SOURCE to $CHRONIK_HOME"
      return
    fi
    log "the distribution looks half-written (a rebuild under way?); retrying in 20 s ($attempt/3)"
    sleep 20
  done
  echo "run.sh: could not copy a complete distribution from $CHRONIK_SOURCE" >&2
  exit 1
}

kafka_tool() {
  # shellcheck disable=SC2086
  timeout "$STEP_TIMEOUT" java $TOOL_OPTS -cp "$KAFKA_LIB/*" "$@"
}

compile_ready_check() {
  if [ ! -f "$READY_CLASSES/ClusterReady.class" ] || [ "$BENCH_DIR/ClusterReady.java" -nt "$READY_CLASSES/ClusterReady.class" ]; then
    mkdir -p "$READY_CLASSES"
    javac -nowarn -cp "$KAFKA_LIB/*" -d "$READY_CLASSES" "$BENCH_DIR/ClusterReady.java"
  fi
}

# Every node, asked on its own, lists all brokers and a leader for every partition of every topic.
wait_ready() {
  local system=$1; shift
  log "$system: waiting until each of $* reports $nodes broker(s) and leaders for $TOPICS"
  if ! timeout $((READY_TIMEOUT + 30)) java -cp "$READY_CLASSES:$KAFKA_LIB/*" ClusterReady \
      "$nodes" "$PARTITIONS" "$READY_TIMEOUT" "$TOPICS" "$@" > "$RESULTS/$system-ready.txt" 2>&1; then
    log "$system: not ready within $READY_TIMEOUT s:"; cat "$RESULTS/$system-ready.txt" >&2; return 1
  fi
  log "$system: $(tail -n 1 "$RESULTS/$system-ready.txt")"
}

# Starts $nodes Kafka nodes, each both broker and controller (KRaft, static quorum of all nodes as
# voters), and sets BOOTSTRAP.
start_kafka() {
  local i cluster_id voters="" kafka_ports=() controller_ports=() bootstrap=""
  for i in $(seq 1 "$nodes"); do
    kafka_ports[i]="$(free_port)"; controller_ports[i]="$(free_port)"
    voters="${voters:+$voters,}$i@127.0.0.1:${controller_ports[i]}"
    bootstrap="${bootstrap:+$bootstrap,}127.0.0.1:${kafka_ports[i]}"
  done
  local min_isr=$(( nodes > 1 ? 2 : 1 ))
  rm -rf "$WORK/kafka-data"
  cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid | tail -n 1)"
  for i in $(seq 1 "$nodes"); do
    local dir="$WORK/kafka-data/node$i" props="$RESULTS/kafka-node$i.properties"
    cat > "$props" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${kafka_ports[i]},CONTROLLER://127.0.0.1:${controller_ports[i]}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafka_ports[i]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir
num.partitions=$PARTITIONS
default.replication.factor=$rf
min.insync.replicas=$min_isr
auto.create.topics.enable=true
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
PROPS
    if [ "${BENCH_KAFKA_FSYNC:-0}" = "1" ]; then
      echo "log.flush.interval.messages=1" >> "$props"
    fi
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$props" > "$RESULTS/kafka-node$i-format.log" 2>&1
  done
  for i in $(seq 1 "$nodes"); do
    log "starting Kafka node $i on 127.0.0.1:${kafka_ports[i]} (data in $WORK/kafka-data/node$i)"
    # shellcheck disable=SC2086
    java $HEAP $GC -XX:+ExitOnOutOfMemoryError -Dlog4j2.configurationFile="$BENCH_DIR/kafka/log4j2.xml" \
      -cp "$KAFKA_LIB/*" kafka.Kafka "$RESULTS/kafka-node$i.properties" > "$RESULTS/kafka-node$i.log" 2>&1 &
    broker_pids+=($!)
  done
  for i in $(seq 1 "$nodes"); do
    wait_for_port "${broker_pids[i-1]}" "${kafka_ports[i]}" "Kafka node $i" "$RESULTS/kafka-node$i.log" || return 1
  done
  BOOTSTRAP="$bootstrap"
}

# Starts $nodes Chronik nodes from one generated cluster file (like config-examples/cluster-3node.yaml, on
# free ports) and sets BOOTSTRAP.
start_chronik() {
  local i yaml="$RESULTS/chronik.yaml" kafka_ports=() bootstrap=""
  rm -rf "$WORK/chronik-data"
  {
    echo "cluster_name: chronik-bench"
    echo "nodes:"
    for i in $(seq 1 "$nodes"); do
      kafka_ports[i]="$(free_port)"
      bootstrap="${bootstrap:+$bootstrap,}127.0.0.1:${kafka_ports[i]}"
      echo "  - id: $i"
      echo "    host: 127.0.0.1"
      echo "    kafka_port: ${kafka_ports[i]}"
      echo "    raft_port: $(free_port)"
      echo "    admin_port: $(free_port)"
    done
    cat <<YAML
topic_defaults:
  partitions: $PARTITIONS
  replication_factor: $rf
  auto_create: true
  retention_ms: 604800000
  retention_bytes: -1
  segment_bytes: 1073741824
  segment_ms: 604800000
  max_message_bytes: 1048588
server:
  data_dir: $WORK/chronik-data
  max_frame_bytes: 104857600
  retention_check_interval_ms: 30000
  group_initial_rebalance_delay_ms: 0
YAML
  } > "$yaml"
  for i in $(seq 1 "$nodes"); do
    log "starting Chronik node $i on 127.0.0.1:${kafka_ports[i]} (data in $WORK/chronik-data/node$i)"
    CHRONIK_HEAP_OPTS="$HEAP" CHRONIK_GC_OPTS="$GC" \
      "$CHRONIK_HOME/bin/chronik-server" start "$yaml" --node-id "$i" --data-dir "$WORK/chronik-data/node$i" \
      > "$RESULTS/chronik-node$i.log" 2>&1 &
    broker_pids+=($!)
  done
  for i in $(seq 1 "$nodes"); do
    wait_for_port "${broker_pids[i-1]}" "${kafka_ports[i]}" "Chronik node $i" "$RESULTS/chronik-node$i.log" || return 1
  done
  BOOTSTRAP="$bootstrap"
}

create_topics() {
  local system=$1 topic
  for topic in ${TOPICS//,/ }; do
    if ! kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create \
        --topic "$topic" --partitions "$PARTITIONS" --replication-factor "$rf" \
        > "$RESULTS/$system-topic-$topic.txt" 2>&1; then
      log "$system: creating $topic failed (see $RESULTS/$system-topic-$topic.txt); relying on auto-create"
    fi
  done
}

# ProducerPerformance's final line, e.g. "60000 records sent, 1999.9 records/sec (1.95 MB/sec), 2.31 ms avg
# latency, 150.00 ms max latency, 2 ms 50th, 3 ms 95th, 10 ms 99th, 100 ms 99.9th." -> "key value" lines.
parse_producer() {
  local prefix=$1 file=$2
  grep ' 99.9th' "$file" | tail -n 1 | awk -F', ' -v p="$prefix" '{
    split($2, rps, " "); mbs = $2; sub(/.*\(/, "", mbs); sub(/ MB.*/, "", mbs)
    split($3, avg, " "); split($4, max, " "); split($5, p50, " "); split($6, p95, " ")
    split($7, p99, " "); split($8, p999, " ")
    print p ".rps " rps[1]; print p ".mbs " mbs; print p ".avg " avg[1]; print p ".max " max[1]
    print p ".p50 " p50[1]; print p ".p95 " p95[1]; print p ".p99 " p99[1]; print p ".p999 " p999[1]
  }'
}

# Runs every workload against the running system and leaves one "key value" line per figure in
# $RESULTS/<system>.figures. A failing step is logged and recorded as missing, so the other system still runs.
run_workloads() {
  local system=$1 figures="$RESULTS/$1.figures" ticks ctxt
  : > "$figures"
  # What the brokers burn with no client at all (heartbeats, timers): 10 s, as % of one core.
  ticks="$(broker_ticks)"
  sleep 10
  echo "idle.cpu $(awk -v s="$(cpu_seconds_since "$ticks")" 'BEGIN { printf "%.1f", s * 10 }')" >> "$figures"
  if [ "$warm" -gt 0 ]; then
    local round
    for round in $(seq 1 "$warm"); do
      for workload in "${WARMUP_WORKLOADS[@]}"; do
        read -r name records size <<< "$workload"
        log "$system: warm-up $round/$warm, $records x $size B to bench-warmup-$name and back (load $(load1))"
        kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "bench-warmup-$name" --num-records "$records" \
          --record-size "$size" --throughput -1 --producer-props acks=all "bootstrap.servers=$BOOTSTRAP" \
          > "$RESULTS/$system-warmup$round-$name-producer.txt" 2>&1 || log "$system: warm-up produce failed"
        kafka_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
          --topic "bench-warmup-$name" --messages "$records" --timeout 60000 \
          > "$RESULTS/$system-warmup$round-$name-consumer.txt" 2>&1 || log "$system: warm-up consume failed"
      done
    done
    # The warm-up's data would otherwise be written back during the measured workloads.
    sync
  fi
  for workload in "${WORKLOADS[@]}"; do
    read -r name records size <<< "$workload"
    local topic="bench-$name" out="$RESULTS/$system-$name"
    record_load "$system $name produce"
    log "$system: producing $records x $size B to $topic (load $(load1))"
    ticks="$(broker_ticks)" ctxt="$(switches)"
    if kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
        --record-size "$size" --throughput -1 \
        --producer-props acks=all "bootstrap.servers=$BOOTSTRAP" > "$out-producer.txt" 2>&1; then
      parse_producer "$name.produce" "$out-producer.txt" >> "$figures"
      echo "$name.produce.cpu $(cpu_seconds_since "$ticks")" >> "$figures"
      echo "$name.produce.kcs $(kilo_switches_since "$ctxt")" >> "$figures"
    else
      log "$system: ProducerPerformance failed (see $out-producer.txt)"
      continue
    fi
    record_load "$system $name consume"
    log "$system: consuming $records from $topic (load $(load1))"
    ticks="$(broker_ticks)"
    if kafka_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$topic" \
        --messages "$records" --timeout 60000 > "$out-consumer.txt" 2>&1; then
      # header: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
      awk -F', *' -v n="$name" '
        /start.time/ { for (i = 1; i <= NF; i++) col[$i] = i; next }
        col["MB.sec"] && NF >= 6 { print n ".consume.mbs " $col["MB.sec"]; print n ".consume.rps " $col["nMsg.sec"] }
      ' "$out-consumer.txt" | tail -n 2 >> "$figures"
      echo "$name.consume.cpu $(cpu_seconds_since "$ticks")" >> "$figures"
    else
      log "$system: ConsumerPerformance failed (see $out-consumer.txt)"
    fi
  done
  record_load "$system latency"
  log "$system: latency, $LATENCY_RECORDS x $LATENCY_SIZE B at $LATENCY_RATE/s (load $(load1))"
  ticks="$(broker_ticks)" ctxt="$(switches)"
  if kafka_tool org.apache.kafka.tools.ProducerPerformance --topic bench-latency --num-records "$LATENCY_RECORDS" \
      --record-size "$LATENCY_SIZE" --throughput "$LATENCY_RATE" \
      --producer-props acks=all linger.ms=0 "bootstrap.servers=$BOOTSTRAP" > "$RESULTS/$system-latency.txt" 2>&1; then
    parse_producer "latency" "$RESULTS/$system-latency.txt" >> "$figures"
    echo "latency.cpu $(cpu_seconds_since "$ticks")" >> "$figures"
    echo "latency.kcs $(kilo_switches_since "$ctxt")" >> "$figures"
  else
    log "$system: latency ProducerPerformance failed (see $RESULTS/$system-latency.txt)"
  fi
}

# Start, wait for readiness, measure, stop: one system at a time, so the two never share the cores.
measure() {
  local system=$1
  BOOTSTRAP=""
  # Dirty pages and pending discards of whatever ran before (the other system's deleted data, a build) would be
  # written back during this system's run and slow its fsyncs; settle the disk first.
  sync
  wait_quiet
  record_load "$system before start"
  if "start_$system" && create_topics "$system" && wait_ready "$system" ${BOOTSTRAP//,/ }; then
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --describe \
      > "$RESULTS/$system-topics-describe.txt" 2>&1 || true
    run_workloads "$system"
  else
    log "$system: did not start or become ready; no figures (logs in $RESULTS)"
  fi
  stop_brokers
  # Three replicas of every workload add up to gigabytes; configs and logs stay in $RESULTS.
  if [ "${BENCH_KEEP_DATA:-0}" != 1 ]; then rm -rf "$WORK/$system-data"; fi
}

figure() {
  figure_in "$RESULTS" "$@"
}

figure_in() {
  local file="$1/$2.figures"
  if [ -f "$file" ]; then awk -v k="$3" '$1 == k { v = $2 } END { print v }' "$file"; fi
}

# MB/s and CPU with one or two decimals, everything else (records/s, ms) as whole numbers.
pretty() {
  case "$2" in
    '') echo "n/a" ;;
    *) case "$1" in
         *.cpu) awk -v v="$2" 'BEGIN { printf "%.1f", v }' ;;
         *.mbs) awk -v v="$2" 'BEGIN { printf "%.2f", v }' ;;
         *) awk -v v="$2" 'BEGIN { printf "%.0f", v }' ;;
       esac ;;
  esac
}

# Chronik's figure over Kafka's, or n/a when either is missing or Kafka's is 0.
ratio() {
  awk -v k="$1" -v c="$2" 'BEGIN { if (k != "" && c != "" && k + 0 > 0) printf "%.2f", c / k; else print "n/a" }'
}

row() {
  local what=$1 key=$2 label=$3 k c
  k="$(figure kafka "$key")"; c="$(figure chronik "$key")"
  echo "| $what | $label | $(pretty "$key" "$k") | $(pretty "$key" "$c") | $(ratio "$k" "$c") |"
}

print_table() {
  local rows=(
    "produce.rps|records/s (produce)"
    "produce.mbs|MB/s (produce)"
    "produce.avg|avg latency ms (produce)"
    "produce.p99|p99 latency ms (produce)"
    "consume.rps|records/s (consume)"
    "consume.mbs|MB/s (consume)"
    "produce.cpu|broker CPU s, all nodes (produce)"
    "consume.cpu|broker CPU s, all nodes (consume)"
    "produce.kcs|context switches, whole machine, thousands (produce)"
  )
  local label="1 node each, replication factor 1"
  if [ "$nodes" = 3 ]; then label="3 nodes each, replication factor 3"; fi
  echo "Throughput, $label, acks=all, $PARTITIONS partitions, as fast as possible:"
  echo
  echo "| workload | metric | Kafka ${KAFKA_VERSION} | Chronik | Chronik/Kafka |"
  echo "|---|---|---:|---:|---:|"
  for workload in "${WORKLOADS[@]}"; do
    read -r name records size <<< "$workload"
    for r in "${rows[@]}"; do
      row "$records x $size B" "$name.${r%%|*}" "${r#*|}"
    done
  done
  echo
  echo "Latency, $label: $LATENCY_RECORDS x $LATENCY_SIZE B at $LATENCY_RATE records/s, acks=all, linger.ms=0:"
  echo
  echo "| workload | metric | Kafka ${KAFKA_VERSION} | Chronik | Chronik/Kafka |"
  echo "|---|---|---:|---:|---:|"
  local what="$LATENCY_RECORDS x $LATENCY_SIZE B at $LATENCY_RATE/s"
  row "$what" latency.rps "records/s achieved"
  row "$what" latency.avg "avg latency ms"
  row "$what" latency.p50 "p50 latency ms"
  row "$what" latency.p95 "p95 latency ms"
  row "$what" latency.p99 "p99 latency ms"
  row "$what" latency.p999 "p99.9 latency ms"
  row "$what" latency.max "max latency ms"
  row "$what" latency.cpu "broker CPU s, all nodes"
  row "$what" latency.kcs "context switches, whole machine, thousands"
  echo
  echo "Idle: broker CPU of all nodes together over 10 s with no client, in % of one core."
  echo
  echo "| workload | metric | Kafka ${KAFKA_VERSION} | Chronik | Chronik/Kafka |"
  echo "|---|---|---:|---:|---:|"
  row "idle, 10 s" idle.cpu "% of one core"
}

KAFKA_VERSION="$(sed -n 's/.*<kafka.bench.version>\(.*\)<\/kafka.bench.version>.*/\1/p' "$BENCH_DIR/kafka/pom.xml")"
fetch_kafka
compile_ready_check
if [ "$run_chronik" = 1 ]; then copy_chronik; fi

wait_quiet
start_load="$(load1)"
if awk -v l="$start_load" -v m="$LOAD_WARN" 'BEGIN { exit !(l > m) }'; then
  log "WARNING: the 1-minute load average is $start_load (> $LOAD_WARN): the machine is busy, the figures will not mean much"
fi
{
  echo "date: $(date -Is)"; echo "host: $(uname -srm), $(nproc) cores"
  java -version 2>&1 | head -n 1
  echo "mode: $mode ($nodes node(s) per system, replication factor $rf), rounds: $rounds"
  echo "heap per node: $HEAP"; echo "gc: $GC"; echo "scale: 1/$scale"; echo "warm-up: $warm"; echo "kafka fsync per batch: ${BENCH_KAFKA_FSYNC:-0}"
  if [ "$run_chronik" = 1 ]; then
    echo "chronik: copied from $CHRONIK_SOURCE, repository at $(git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
  fi
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RESULTS/environment.txt"

# The systems of one round, Kafka first in odd rounds and Chronik first in even ones: whatever the box does to the
# second system of a round (the first one's writeback, a rising load) then falls on each system equally often.
round_order() {
  local order=(kafka chronik)
  if [ $(($1 % 2)) = 0 ]; then order=(chronik kafka); fi
  for system in "${order[@]}"; do
    if [ "$system" = kafka ] && [ "$run_kafka" = 1 ]; then echo kafka; fi
    if [ "$system" = chronik ] && [ "$run_chronik" = 1 ]; then echo chronik; fi
  done
}

# The Chronik/Kafka ratio of one figure in each round, and their median (the middle one, or the mean of the two
# middle ones).
rounds_row() {
  local what=$1 key=$2 label=$3 i k c r ratios=() cells=""
  for ((i = 1; i <= rounds; i++)); do
    k="$(figure_in "$BASE_RESULTS/round$i" kafka "$key")"; c="$(figure_in "$BASE_RESULTS/round$i" chronik "$key")"
    r="$(ratio "$k" "$c")"
    if [ "$r" = n/a ]; then
      cells="$cells | n/a"
    else
      ratios+=("$r")
      cells="$cells | $(pretty "$key" "$c") / $(pretty "$key" "$k") = $r"
    fi
  done
  local median="n/a"
  if [ "${#ratios[@]}" -gt 0 ]; then
    median="$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END {
      if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
  fi
  echo "| $what | $label$cells | **$median** |"
}

print_rounds_table() {
  local header="| workload | metric" rule="|---|---" i
  for ((i = 1; i <= rounds; i++)); do header="$header | round $i: Chronik / Kafka"; rule="$rule|---:"; done
  echo "Chronik/Kafka over $rounds rounds ($nodes node(s) each, replication factor $rf; Kafka first in odd rounds):"
  echo
  echo "$header | median ratio |"
  echo "$rule|---:|"
  for workload in "${WORKLOADS[@]}"; do
    read -r name records size <<< "$workload"
    rounds_row "$records x $size B" "$name.produce.rps" "records/s (produce)"
    rounds_row "$records x $size B" "$name.produce.cpu" "broker CPU s (produce)"
    rounds_row "$records x $size B" "$name.produce.kcs" "context switches, thousands (produce)"
    rounds_row "$records x $size B" "$name.consume.rps" "records/s (consume)"
  done
  local what="$LATENCY_RECORDS x $LATENCY_SIZE B at $LATENCY_RATE/s"
  rounds_row "$what" latency.p50 "p50 latency ms"
  rounds_row "$what" latency.p99 "p99 latency ms"
  rounds_row "$what" latency.cpu "broker CPU s"
}

BASE_RESULTS="$RESULTS"
if [ "$rounds" = 1 ]; then
  for system in $(round_order 1); do measure "$system"; done
else
  for ((round = 1; round <= rounds; round++)); do
    RESULTS="$BASE_RESULTS/round$round"
    mkdir -p "$RESULTS"
    log "round $round of $rounds: $(round_order "$round" | tr '\n' ' ')"
    for system in $(round_order "$round"); do measure "$system"; done
    print_table > "$RESULTS/table.md"
    sed "s/^/round$round: /" "$RESULTS/load.txt" >> "$BASE_RESULTS/load.txt" || true
  done
  RESULTS="$BASE_RESULTS"
fi

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/environment.txt"
cat "$RESULTS/environment.txt" >&2
echo "load before each measured step:" >&2
sed 's/^/  /' "$RESULTS/load.txt" >&2 || true
if [ "$rounds" = 1 ]; then
  print_table | tee "$RESULTS/table.md"
else
  for ((round = 1; round <= rounds; round++)); do
    echo "Round $round:"; echo; cat "$RESULTS/round$round/table.md"; echo
  done | tee "$RESULTS/rounds.md"
  print_rounds_table | tee "$RESULTS/table.md"
fi
log "raw outputs in $RESULTS"
