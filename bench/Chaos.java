import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fault soak for a three-node Chronik cluster: an idempotent {@code acks=all} producer writes numbered records at a
 * steady rate and a consumer group reads and commits them, while nodes are killed with SIGKILL (one at a time, the
 * leader of a partition, two at once, or all three — sometimes just after creating a topic) and restarted, frozen
 * with SIGSTOP for seconds and thawed, and partition leaders are moved with {@code chronik-cli leader transfer}. At
 * the end every record is read back and checked: every acknowledged record is there exactly once, at the offset its
 * acknowledgement named, each partition holds its records in the order they were sent, the consumer group saw every
 * acknowledged record at least once, and every topic created just before a whole-cluster kill has a leader for each
 * partition. Exits 1 if any check fails.
 *
 * <p>Run by {@code bench/chaos.sh} (which builds the class path and the distribution copy); by hand:
 * <pre>java -cp 'bench/work/kafka-lib/*' bench/Chaos.java LAUNCHER WORK_DIR SECONDS RATE RECORD_BYTES</pre>
 * It starts the nodes itself from a generated cluster file under WORK_DIR (fresh each run) and stops them on exit.
 * It is a soak, not a test: CI does not run it, and a run is only as good as the faults it happened to hit, so
 * it prints every fault with its time and the nodes' logs stay in WORK_DIR.
 */
public final class Chaos {

    private static final String TOPIC = "chaos";
    private static final int PARTITIONS = 3;
    private static final int NODES = 3;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Path launcher;
    private final Path work;
    private final Path yaml;
    private final int[] kafkaPorts = new int[NODES + 1];
    private final int[] adminPorts = new int[NODES + 1];
    private final Process[] nodes = new Process[NODES + 1];
    private final Random random = new Random();
    /** Topics created just before a whole-cluster kill; each must get leaders for all its partitions afterwards. */
    private final List<String> freshTopics = new ArrayList<>();
    private final String bootstrap;

    private Chaos(Path launcher, Path work) throws IOException {
        this.launcher = launcher;
        this.work = work;
        this.yaml = work.resolve("cluster.yaml");
        StringBuilder file = new StringBuilder("cluster_name: chronik-chaos\nnodes:\n");
        for (int id = 1; id <= NODES; id++) {
            kafkaPorts[id] = freePort();
            adminPorts[id] = freePort();
            file.append("  - id: ").append(id).append("\n    host: 127.0.0.1\n    kafka_port: ").append(kafkaPorts[id])
                    .append("\n    raft_port: ").append(freePort()).append("\n    admin_port: ").append(adminPorts[id])
                    .append('\n');
        }
        // Small segments and frequent snapshots, so the faults also hit segment rolls, snapshots, Raft-log purges and
        // the catch-up of a node that comes back behind the purge point.
        file.append("topic_defaults:\n  partitions: 3\n  replication_factor: 3\n  segment_bytes: 4194304\n")
                .append("server:\n  raft_snapshot_entries: 200\n");
        Files.writeString(yaml, file.toString());
        List<String> addresses = new ArrayList<>();
        for (int id = 1; id <= NODES; id++) {
            addresses.add("127.0.0.1:" + kafkaPorts[id]);
        }
        bootstrap = String.join(",", addresses);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Chaos LAUNCHER WORK_DIR SECONDS RATE RECORD_BYTES");
            System.exit(2);
        }
        Path work = Path.of(args[1]);
        Files.createDirectories(work);
        Chaos chaos = new Chaos(Path.of(args[0]), work);
        int exit;
        try {
            exit = chaos.run(Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } finally {
            chaos.stopAll();
        }
        System.exit(exit);
    }

    // ------------------------------------------------------------------ the run

    private int run(int seconds, int rate, int recordBytes) throws Exception {
        for (int id = 1; id <= NODES; id++) {
            start(id);
        }
        for (int id = 1; id <= NODES; id++) {
            awaitListening(id);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3))).all().get(60, TimeUnit.SECONDS);
        }
        log("cluster up on " + bootstrap + "; producing " + rate + " records/s of " + recordBytes + " bytes for "
                + seconds + " s under faults");

        Ledger ledger = new Ledger();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> produce(ledger, producing, rate, recordBytes), "producer");
        GroupReader group = new GroupReader();
        Thread reader = new Thread(group, "group-reader");
        producer.start();
        reader.start();

        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> faults = new ArrayList<>();
        sleepSeconds(10);
        while (System.nanoTime() < end) {
            faults.add(injectFault());
            sleepSeconds(5 + random.nextInt(10));
        }
        log("faults over; every node running again, letting the producer drain");
        producing.set(false);
        producer.join(TimeUnit.MINUTES.toMillis(3));
        long groupDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!group.seen.keySet().containsAll(ledger.acked.keySet()) && System.nanoTime() < groupDeadline) {
            Thread.sleep(500);
        }
        group.stop();
        reader.join(TimeUnit.MINUTES.toMillis(1));

        Map<TopicPartition, List<ConsumerRecord<String, String>>> log = readEverything();
        return verify(ledger, log, group, faults, leaderlessFreshTopics());
    }

    /**
     * One fault: kills one to three nodes with SIGKILL, waits, restarts them, and waits until they listen; freezes a
     * node with SIGSTOP and thaws it; or moves a partition's leadership with {@code chronik-cli leader transfer}, as an
     * operator would, under the same load.
     */
    private String injectFault() throws Exception {
        int kind = random.nextInt(12);
        if (kind == 6) {
            return transferLeader();
        }
        if (kind >= 10) {
            return pause();
        }
        List<Integer> victims = new ArrayList<>();
        String what;
        if (kind < 4) {
            victims.add(1 + random.nextInt(NODES));
            what = "kill node " + victims.get(0);
        } else if (kind < 6) {
            int partition = random.nextInt(PARTITIONS);
            int leader = leaderOf(partition);
            victims.add(leader > 0 ? leader : 1 + random.nextInt(NODES));
            what = "kill node " + victims.get(0) + (leader > 0 ? " (leader of partition " + partition + ")" : "");
        } else if (kind < 9) {
            int spared = 1 + random.nextInt(NODES);
            for (int id = 1; id <= NODES; id++) {
                if (id != spared) {
                    victims.add(id);
                }
            }
            what = "kill nodes " + victims + " (no quorum)";
        } else {
            for (int id = 1; id <= NODES; id++) {
                victims.add(id);
            }
            what = "kill the whole cluster";
            if (random.nextBoolean()) {
                // A topic whose partitions' Raft groups may not have elected, let alone committed, anything yet.
                String topic = "fresh-" + (freshTopics.size() + 1);
                try (Admin admin = admin()) {
                    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 3))).all()
                            .get(30, TimeUnit.SECONDS);
                }
                freshTopics.add(topic);
                Thread.sleep(random.nextInt(1000));
                what += " just after creating topic " + topic;
            }
        }
        int downSeconds = 1 + random.nextInt(8);
        String at = LocalTime.now().format(CLOCK);
        log(what + ", down for " + downSeconds + " s");
        for (int id : victims) {
            nodes[id].destroyForcibly();
        }
        for (int id : victims) {
            nodes[id].waitFor();
        }
        sleepSeconds(downSeconds);
        for (int id : victims) {
            start(id);
        }
        for (int id : victims) {
            awaitListening(id);
        }
        return at + " " + what + ", down " + downSeconds + " s";
    }

    /**
     * Freezes one node (a partition's leader every other time) with SIGSTOP for longer than an election timeout, then
     * lets it run again with SIGCONT: a long GC pause or a stalled VM. Its peers elect new leaders meanwhile, and the
     * frozen node wakes up still believing it leads, with its clients' requests half done and its sockets full; it
     * must learn the new terms before it acknowledges anything, and then catch up.
     */
    private String pause() throws Exception {
        int victim;
        String what;
        if (random.nextBoolean()) {
            int partition = random.nextInt(PARTITIONS);
            int leader = leaderOf(partition);
            victim = leader > 0 ? leader : 1 + random.nextInt(NODES);
            what = "freeze node " + victim + (leader > 0 ? " (leader of partition " + partition + ")" : "");
        } else {
            victim = 1 + random.nextInt(NODES);
            what = "freeze node " + victim;
        }
        int frozenSeconds = 3 + random.nextInt(10);
        String at = LocalTime.now().format(CLOCK);
        log(what + " for " + frozenSeconds + " s");
        signal(victim, "STOP");
        try {
            sleepSeconds(frozenSeconds);
        } finally {
            signal(victim, "CONT");
        }
        return at + " " + what + ", frozen " + frozenSeconds + " s";
    }

    private void signal(int id, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(nodes[id].pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " of node " + id + " failed");
        }
    }

    private String transferLeader() throws Exception {
        int partition = random.nextInt(PARTITIONS);
        int leader = leaderOf(partition);
        int target = 1 + random.nextInt(NODES);
        while (target == leader) {
            target = 1 + random.nextInt(NODES);
        }
        String at = LocalTime.now().format(CLOCK);
        Path cli = launcher.resolveSibling("chronik-cli");
        int via = 1 + random.nextInt(NODES);
        Process p = new ProcessBuilder(cli.toString(), "--server", "127.0.0.1:" + adminPorts[via], "leader", "transfer",
                TOPIC, Integer.toString(partition), "--to", Integer.toString(target))
                .redirectErrorStream(true).redirectOutput(work.resolve("cli-output.txt").toFile()).start();
        // Wait first, reading after: reading to the end of the output would wait for the command without a limit.
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(work.resolve("cli-output.txt")).strip();
        String what = "move the leader of partition " + partition + " from node " + leader + " to node " + target
                + " (exit " + (done ? p.exitValue() : "timeout") + ": " + output.replace('\n', ' ') + ")";
        log(what);
        return at + " " + what;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
    }

    /** The fresh topics (created just before a whole-cluster kill) with a partition that has no leader after 60 s. */
    private List<String> leaderlessFreshTopics() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> leaderless = new ArrayList<>(freshTopics);
        // One client for the whole wait: it reconnects by itself to whichever node answers.
        try (Admin admin = admin()) {
            while (!leaderless.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Map<String, TopicDescription> described = admin.describeTopics(leaderless).allTopicNames()
                            .get(10, TimeUnit.SECONDS);
                    leaderless.removeIf(t -> described.get(t).partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                } catch (Exception e) {
                    // not yet answerable; ask again
                }
                if (!leaderless.isEmpty()) {
                    Thread.sleep(1000);
                }
            }
        }
        return leaderless;
    }

    private int leaderOf(int partition) {
        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(TOPIC);
            Node leader = d.partitions().get(partition).leader();
            return leader == null ? -1 : leader.id();
        } catch (Exception e) {
            log("no leader for partition " + partition + " (" + e + "); killing a random node instead");
            return -1;
        }
    }

    // ------------------------------------------------------------------ producing

    /** What the producer sent and what came back, by sequence number (the record's value). */
    private static final class Ledger {
        final AtomicLong sent = new AtomicLong();
        /** Acknowledged sequence → the (partition, offset) the acknowledgement named. */
        final ConcurrentMap<Long, TopicPartitionOffset> acked = new ConcurrentHashMap<>();
        final ConcurrentMap<String, AtomicLong> failures = new ConcurrentHashMap<>();

        /** Counts a failed send and logs it as it happens, so a failure can be matched to the faults and node logs. */
        void failed(long seq, int partition, Exception error) {
            AtomicLong count = failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicLong());
            if (count.incrementAndGet() <= 20) {
                log("send of record " + seq + " to partition " + partition + " failed: " + error);
            }
        }
    }

    private record TopicPartitionOffset(int partition, long offset) { }

    private void produce(Ledger ledger, AtomicBoolean producing, int rate, int recordBytes) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 2_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            long started = System.nanoTime();
            while (producing.get()) {
                long seq = ledger.sent.get();
                long due = started + seq * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, 50_000_000L));
                    continue;
                }
                int partition = (int) (seq % PARTITIONS);
                producer.send(new ProducerRecord<>(TOPIC, partition, null, value(seq, recordBytes)),
                        (metadata, error) -> {
                            if (error == null) {
                                ledger.acked.put(seq, new TopicPartitionOffset(metadata.partition(), metadata.offset()));
                            } else {
                                ledger.failed(seq, partition, error);
                            }
                        });
                ledger.sent.incrementAndGet();
            }
            producer.flush();
        } catch (Exception e) {
            log("producer stopped: " + e);
        }
    }

    /** The sequence number, padded with '.' to the record size; {@link #seq} reads it back. */
    private static String value(long seq, int recordBytes) {
        String number = Long.toString(seq);
        return number.length() >= recordBytes ? number : number + ".".repeat(recordBytes - number.length());
    }

    private static long seq(String value) {
        int end = value.indexOf('.');
        return Long.parseLong(end < 0 ? value : value.substring(0, end));
    }

    // ------------------------------------------------------------------ a consumer group through the faults

    /** Reads the topic in a group, committing after every poll; counts what it saw and how often it was re-assigned. */
    private final class GroupReader implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<Long, Integer> seen = new ConcurrentHashMap<>();
        final AtomicLong assignments = new AtomicLong();
        final AtomicLong failedCommits = new AtomicLong();

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            Map<String, Object> props = consumerProps();
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-readers");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        assignments.incrementAndGet();
                    }
                });
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(500));
                    records.forEach(r -> seen.merge(seq(r.value()), 1, Integer::sum));
                    if (!records.isEmpty()) {
                        try {
                            consumer.commitSync(Duration.ofSeconds(30));
                        } catch (Exception e) {
                            failedCommits.incrementAndGet();
                        }
                    }
                }
            } catch (Exception e) {
                log("group reader stopped: " + e);
            }
        }
    }

    // ------------------------------------------------------------------ checking

    private Map<String, Object> consumerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2_000);
        return props;
    }

    private Map<TopicPartition, List<ConsumerRecord<String, String>>> readEverything() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        Map<TopicPartition, List<ConsumerRecord<String, String>>> log = new TreeMap<>(
                (a, b) -> Integer.compare(a.partition(), b.partition()));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(60));
            partitions.forEach(tp -> log.put(tp, new ArrayList<>()));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> log.get(new TopicPartition(r.topic(),
                        r.partition())).add(r));
            }
            log("read back " + log.values().stream().mapToInt(List::size).sum() + " records up to " + ends);
        }
        return log;
    }

    private int verify(Ledger ledger, Map<TopicPartition, List<ConsumerRecord<String, String>>> log, GroupReader group,
                       List<String> faults, List<String> leaderlessFresh) {
        Map<Long, TopicPartitionOffset> stored = new HashMap<>();
        long duplicates = 0;
        long outOfOrder = 0;
        for (List<ConsumerRecord<String, String>> records : log.values()) {
            long previous = -1;
            for (ConsumerRecord<String, String> r : records) {
                long seq = seq(r.value());
                if (stored.put(seq, new TopicPartitionOffset(r.partition(), r.offset())) != null) {
                    duplicates++;
                }
                if (seq <= previous) {
                    outOfOrder++;
                }
                previous = seq;
            }
        }
        long lost = 0;
        long misplaced = 0;
        List<String> examples = new ArrayList<>();
        for (Map.Entry<Long, TopicPartitionOffset> ack : new TreeMap<>(ledger.acked).entrySet()) {
            TopicPartitionOffset at = stored.get(ack.getKey());
            if (at == null) {
                lost++;
                if (examples.size() < 10) {
                    examples.add("acked " + ack.getKey() + " at " + ack.getValue() + " is missing");
                }
            } else if (!at.equals(ack.getValue())) {
                misplaced++;
                if (examples.size() < 10) {
                    examples.add("acked " + ack.getKey() + " at " + ack.getValue() + " but stored at " + at);
                }
            }
        }
        long unackedButStored = stored.keySet().stream().filter(seq -> !ledger.acked.containsKey(seq)).count();
        long groupMissed = ledger.acked.keySet().stream().filter(seq -> !group.seen.containsKey(seq)).count();
        long groupReread = group.seen.values().stream().filter(n -> n > 1).count();

        System.out.println();
        System.out.println("faults (" + faults.size() + "):");
        faults.forEach(f -> System.out.println("  " + f));
        System.out.println("sent " + ledger.sent.get() + ", acknowledged " + ledger.acked.size() + ", failed "
                + ledger.failures.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ", "{", "}")) + ", stored " + stored.size()
                + " (of which not acknowledged: " + unackedButStored + ")");
        System.out.println("acknowledged but lost: " + lost + ", stored twice: " + duplicates
                + ", at another offset than acknowledged: " + misplaced + ", out of order in a partition: "
                + outOfOrder);
        System.out.println("consumer group: " + group.assignments.get() + " assignments, " + group.failedCommits.get()
                + " failed commits, read " + group.seen.size() + " distinct (" + groupReread
                + " more than once), acknowledged records it never saw: " + groupMissed);
        examples.forEach(e -> System.out.println("  " + e));
        System.out.println("topics created just before a whole-cluster kill: " + freshTopics.size()
                + ", with a partition still leaderless 60 s after the faults: " + leaderlessFresh);
        // A group that commits what it polled can read a record twice after a fault, never skip one.
        boolean ok = lost == 0 && duplicates == 0 && misplaced == 0 && outOfOrder == 0 && groupMissed == 0
                && !ledger.acked.isEmpty() && leaderlessFresh.isEmpty();
        System.out.println(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    // ------------------------------------------------------------------ processes

    private void start(int id) throws IOException {
        Path logFile = work.resolve("node" + id + ".log");
        nodes[id] = new ProcessBuilder(launcher.toString(), "start", yaml.toString(), "--node-id",
                Integer.toString(id), "--data-dir", work.resolve("node" + id).toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
    }

    private void awaitListening(int id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!nodes[id].isAlive()) {
                throw new IllegalStateException("node " + id + " exited with " + nodes[id].exitValue()
                        + "; see " + work.resolve("node" + id + ".log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", kafkaPorts[id]), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("node " + id + " did not listen within 120 s");
    }

    private void stopAll() {
        for (int id = 1; id <= NODES; id++) {
            if (nodes[id] != null) {
                nodes[id].destroy();
            }
        }
        for (int id = 1; id <= NODES; id++) {
            try {
                if (nodes[id] != null && !nodes[id].waitFor(30, TimeUnit.SECONDS)) {
                    nodes[id].destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleepSeconds(int seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }

    private static void log(String message) {
        System.out.println("[chaos " + LocalTime.now().format(CLOCK) + "] " + message);
    }
}
