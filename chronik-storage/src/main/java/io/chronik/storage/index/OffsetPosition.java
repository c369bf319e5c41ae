package io.chronik.storage.index;

/** An offset index entry: the batch whose base offset is {@code offset} starts at byte {@code position} of its segment. */
public record OffsetPosition(long offset, int position) {}
