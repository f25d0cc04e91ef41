/**
 * The client wire format of the key/value API: {@link dev.aspen.kv.wire.KvRequest} (one record per
 * {@link dev.aspen.kv.KeyValueStore} call) and {@link dev.aspen.kv.wire.KvWire}, the strict
 * versioned codec of requests, responses, error values and watch events carried by the mesh RPC.
 */
package dev.aspen.kv.wire;
