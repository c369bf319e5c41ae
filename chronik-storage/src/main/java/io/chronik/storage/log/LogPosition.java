package io.chronik.storage.log;

/**
 * An offset of a partition log together with where it falls on disk: the segment holding it and the byte position in
 * that segment. Lets a reader bound a slice at the high watermark without a lookup.
 */
record LogPosition(long offset, long segmentBaseOffset, int position) {}
