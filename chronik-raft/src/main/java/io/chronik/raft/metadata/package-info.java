/**
 * Cluster metadata: topics, assignments, configs, committed group offsets and producer ids, changed only by
 * replicable {@link io.chronik.raft.metadata.MetadataCommand}s applied by a
 * {@link io.chronik.raft.metadata.MetadataStateMachine}. The server uses a
 * {@link io.chronik.raft.metadata.MetadataStore}; {@link io.chronik.raft.metadata.LocalMetadataStore} keeps the
 * command log in a local journal (a Ratis group replaces the journal later, not the state or the commands).
 */
package io.chronik.raft.metadata;
