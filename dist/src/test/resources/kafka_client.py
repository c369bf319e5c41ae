"""kafka-python client for Chronik's process-level tests (run by /usr/bin/python3).

usage:
  kafka_client.py produce BOOTSTRAP TOPIC        < one value per line on stdin
  kafka_client.py consume BOOTSTRAP TOPIC COUNT  > one value per line on stdout
  kafka_client.py create-topic BOOTSTRAP TOPIC PARTITIONS REPLICATION_FACTOR
  kafka_client.py produce-slowly BOOTSTRAP TOPIC PREFIX COUNT PAUSE_AFTER RESUME_FILE

produce exits 0 only after every record was acknowledged with acks='all'.
consume reads all partitions from the beginning without a consumer group, prints what it read
(plus anything that arrives within one more second, so duplicates show) and exits 2 if fewer than
COUNT records arrived within 30 seconds.
create-topic creates the topic through the admin client and waits until its metadata shows a leader for
every partition; it exits 0 only then.
produce-slowly sends PREFIX-0 .. PREFIX-(COUNT-1) one at a time (acks='all', retries, one request in
flight), printing "acked I" on stdout after each acknowledgement. After PAUSE_AFTER acknowledgements it
prints "paused leader=N" (N: the broker the producer's metadata names as leader of partition 0, the one
that just acknowledged) and waits until RESUME_FILE exists, so the caller can kill that broker first. It
prints "done leader=N" (the leader that acknowledged the last message) and exits 0 once all COUNT
were acknowledged; a send that fails after all retries prints "failed I ERROR" on stderr and exits 3.
"""
import os
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaTimeoutError

DEADLINE_SECONDS = 30


def produce(bootstrap, topic):
    values = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=5, api_version_auto_timeout_ms=10000,
                             request_timeout_ms=20000, max_block_ms=20000)
    futures = [producer.send(topic, value=v.encode("utf-8")) for v in values]
    for future in futures:
        future.get(timeout=DEADLINE_SECONDS)
    producer.flush(timeout=DEADLINE_SECONDS)
    producer.close(timeout=10)
    print("produced %d" % len(values), file=sys.stderr)


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             api_version_auto_timeout_ms=10000,
                             auto_offset_reset="earliest", request_timeout_ms=20000)
    deadline = time.monotonic() + DEADLINE_SECONDS
    partitions = None
    while not partitions and time.monotonic() < deadline:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            time.sleep(0.2)
    if not partitions:
        print("no metadata for topic %s" % topic, file=sys.stderr)
        sys.exit(2)
    print("partitions of %s: %s" % (topic, sorted(partitions)), file=sys.stderr)
    assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assignment)
    # Not seek_to_beginning: kafka-python then looks the offsets up inside poll() with no deadline at all, so a
    # lookup that keeps failing would hang this process. beginning_offsets gives up after request_timeout_ms.
    starts = None
    while starts is None and time.monotonic() < deadline:
        try:
            starts = consumer.beginning_offsets(assignment)
        except KafkaTimeoutError as e:
            # Which broker the client would ask for each partition (-1: no leader in its metadata), for the log.
            leaders = {tp.partition: consumer._client.cluster.leader_for_partition(tp) for tp in assignment}
            print("no start offsets yet: %s; leaders as this client sees them: %s" % (e, leaders), file=sys.stderr)
    if starts is None:
        print("no start offsets for %s within %d s" % (topic, DEADLINE_SECONDS), file=sys.stderr)
        sys.exit(2)
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    values = []
    while len(values) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            values.extend(r.value.decode("utf-8") for r in records)
    print("read %d records, polling once more for extras" % len(values), file=sys.stderr)
    for records in consumer.poll(timeout_ms=1000).values():
        values.extend(r.value.decode("utf-8") for r in records)
    consumer.close()
    for value in values:
        print(value)
    if len(values) < count:
        print("read %d of %d records" % (len(values), count), file=sys.stderr)
        sys.exit(2)


def create_topic(bootstrap, topic, partitions, replication_factor):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, api_version_auto_timeout_ms=10000,
                             request_timeout_ms=20000)
    admin.create_topics([NewTopic(topic, partitions, replication_factor)], timeout_ms=20000)
    admin.close()
    # The topic exists once the metadata group applied it; each partition group elects its leader after that.
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, api_version_auto_timeout_ms=10000)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        leaders = leaders_of(consumer, topic)
        if leaders and len(leaders) == partitions and all(leader is not None and leader >= 0
                                                         for leader in leaders.values()):
            print("created %s leaders=%s" % (topic, leaders), file=sys.stderr)
            consumer.close()
            return
        time.sleep(0.2)
    consumer.close()
    print("topic %s has no leader for every partition within %d s" % (topic, DEADLINE_SECONDS), file=sys.stderr)
    sys.exit(2)


def leaders_of(consumer, topic):
    # topics() forces a metadata request, so the cluster view below is fresh.
    consumer.topics()
    cluster = consumer._client.cluster
    partitions = cluster.partitions_for_topic(topic)
    if not partitions:
        return None
    return {p: cluster.leader_for_partition(TopicPartition(topic, p)) for p in partitions}


def produce_slowly(bootstrap, topic, prefix, count, pause_after, resume_file):
    # metadata_max_age_ms: against a frozen leader (SIGSTOP), the request in flight to it hangs until the request
    # timeout, and kafka-python 2.0 then re-queues the batch and expires it if it is not sent again within another
    # request timeout. Its metadata refresh after the timeout goes to a random node it holds no open connection
    # to, which may be the frozen one again (one time in three); that refresh hangs for the same timeout, and the
    # batch can expire client-side before a second refresh finds the new leader. Refreshing every second while the
    # request hangs (kafka-python then asks a node other than the busy one) learns the new leader and leaves an
    # open idle connection that the refresh after the timeout prefers.
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=10, retry_backoff_ms=500,
                             request_timeout_ms=15000, max_block_ms=30000, api_version_auto_timeout_ms=10000,
                             max_in_flight_requests_per_connection=1, linger_ms=0, metadata_max_age_ms=1000)
    for i in range(count):
        try:
            producer.send(topic, value=("%s-%d" % (prefix, i)).encode("utf-8")).get(timeout=60)
        except Exception as e:  # noqa: BLE001 - any failure is reported with its index and ends the run
            print("failed %d %r" % (i, e), file=sys.stderr)
            sys.stderr.flush()
            sys.exit(3)
        print("acked %d" % i)
        sys.stdout.flush()
        if i + 1 == pause_after:
            leader = producer._metadata.leader_for_partition(TopicPartition(topic, 0))
            print("paused leader=%s" % leader)
            sys.stdout.flush()
            deadline = time.monotonic() + DEADLINE_SECONDS
            while not os.path.exists(resume_file):
                if time.monotonic() > deadline:
                    print("nobody created %s within %d s" % (resume_file, DEADLINE_SECONDS), file=sys.stderr)
                    sys.exit(4)
                time.sleep(0.05)
            print("resumed", file=sys.stderr)
    producer.flush(timeout=DEADLINE_SECONDS)
    leader = producer._metadata.leader_for_partition(TopicPartition(topic, 0))
    producer.close(timeout=10)
    print("done leader=%s" % leader)
    sys.stdout.flush()


def main(argv):
    if len(argv) >= 4 and argv[1] == "produce":
        produce(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "consume":
        consume(argv[2], argv[3], int(argv[4]))
    elif len(argv) >= 6 and argv[1] == "create-topic":
        create_topic(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif len(argv) >= 8 and argv[1] == "produce-slowly":
        produce_slowly(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), argv[7])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(64)


if __name__ == "__main__":
    main(sys.argv)
