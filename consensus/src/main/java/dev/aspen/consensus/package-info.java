/**
 * The Raft replication engine: MicroRaft, Kryo codecs for its messages, the durable write-ahead
 * log and the deterministic simulator. Placeholder until the consensus issue lands.
 */
package dev.aspen.consensus;
