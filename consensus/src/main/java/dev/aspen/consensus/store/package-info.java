/**
 * The durable write-ahead log behind a Raft node: {@link dev.aspen.consensus.store.DurableRaftStore}
 * implements MicroRaft's {@code RaftStore} with segmented, CRC-checked, versioned files. The file
 * and record formats are described in {@code consensus/README.md}.
 */
package dev.aspen.consensus.store;
