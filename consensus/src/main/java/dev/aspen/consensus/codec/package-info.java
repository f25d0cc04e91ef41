/**
 * Kryo codecs for every MicroRaft model type Aspen puts on the wire or on disk. {@link
 * dev.aspen.consensus.codec.RaftCodec} is the entry point; the registration-id table is in {@code
 * consensus/README.md} and in {@link dev.aspen.consensus.codec.WireType}.
 */
package dev.aspen.consensus.codec;
