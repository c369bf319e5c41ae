package io.chronik.storage.log;

/** A record timestamp and the offset of the record carrying it (ListOffsets answers). */
public record TimestampOffset(long timestamp, long offset) {}
