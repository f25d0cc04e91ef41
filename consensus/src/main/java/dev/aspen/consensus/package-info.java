/**
 * The Raft replication engine: {@link dev.aspen.consensus.RaftGroup} (MicroRaft underneath), its
 * configuration, errors and transport SPI, and the types the codec, the write-ahead log and the
 * key/value state machine share ({@link dev.aspen.consensus.NodeEndpoint}, {@link
 * dev.aspen.consensus.ReplicatedStateMachine}, {@link dev.aspen.consensus.NewTermOperation}).
 */
package dev.aspen.consensus;
