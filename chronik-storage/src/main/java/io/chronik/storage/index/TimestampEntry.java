package io.chronik.storage.index;

/** A time index entry: up to and including {@code offset}, no record of the segment has a timestamp above {@code timestamp}. */
public record TimestampEntry(long timestamp, long offset) {}
