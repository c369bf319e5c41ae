/**
 * Idempotent-producer state of one partition: per producer id its epoch and its last five batches, the checks that
 * turn a retried batch into a duplicate and a gap into {@code OutOfOrderSequenceException}, and the snapshot file that
 * lets the state survive a restart.
 */
package io.chronik.storage.producer;
