/**
 * Sparse per-segment lookup structures: {@link io.chronik.storage.index.OffsetIndex} (offset to file position) and
 * {@link io.chronik.storage.index.TimeIndex} (timestamp to offset). Both are append-only files of fixed-size entries,
 * mirrored in memory and searched by binary search; both are rebuildable from the segment's log file, so they are never
 * the only copy of anything.
 */
package io.chronik.storage.index;
