package io.chronik.storage.producer;

/** Sequence range and assigned offset range of one appended idempotent batch. */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {}
