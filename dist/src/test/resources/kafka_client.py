"""kafka-python client for Chronik's process-level tests (run by /usr/bin/python3).

usage:
  kafka_client.py produce BOOTSTRAP TOPIC        < one value per line on stdin
  kafka_client.py consume BOOTSTRAP TOPIC COUNT  > one value per line on stdout

produce exits 0 only after every record was acknowledged with acks='all'.
consume reads all partitions from the beginning without a consumer group, prints what it read
(plus anything that arrives within one more second, so duplicates show) and exits 2 if fewer than
COUNT records arrived within 30 seconds.
"""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

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
    consumer.seek_to_beginning(*assignment)
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


def main(argv):
    if len(argv) >= 4 and argv[1] == "produce":
        produce(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "consume":
        consume(argv[2], argv[3], int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(64)


if __name__ == "__main__":
    main(sys.argv)
