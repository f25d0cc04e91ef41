package dev.aspen.kv.wire.bench;

import dev.aspen.kv.KeyValue;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.wire.KvRequest;
import dev.aspen.kv.wire.KvWire;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Encode + decode throughput and sizes of typical wire messages (16 B keys, 100 B values). Prints
 * one line per message kind; decides nothing. Usage: see kv/README.md, "Client wire format".
 */
public final class WireBench {
    private WireBench() {}

    public static void main(String[] args) {
        byte[] value = new byte[100];
        KvRequest.Put put = new KvRequest.Put(key(42), value, 0, false);
        PutResponse putResponse = new PutResponse(1_234_567, Optional.empty());
        List<KeyValue> kvs = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            kvs.add(new KeyValue(key(i), value, 1_000 + i, 2_000 + i, 3, 0));
        }
        ScanResponse scan = new ScanResponse(5_000, kvs, true);
        WatchEvent event = new WatchEvent(9_999, WatchEvent.Type.PUT, kvs.get(7), Optional.of(kvs.get(8)));

        run("put request", 2_000_000, () -> KvWire.decodeRequest(KvWire.encodeRequest(put)), KvWire.encodeRequest(put));
        run(
                "put response",
                2_000_000,
                () -> KvWire.decodeResponse(KvWire.encodeResponse(putResponse)),
                KvWire.encodeResponse(putResponse));
        run(
                "scan response (1000 kvs)",
                5_000,
                () -> KvWire.decodeResponse(KvWire.encodeResponse(scan)),
                KvWire.encodeResponse(scan));
        run(
                "watch event with prevKv",
                1_000_000,
                () -> KvWire.decodeEvent(KvWire.encodeEvent(event)),
                KvWire.encodeEvent(event));
    }

    private static byte[] key(int i) {
        return String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static void run(String name, int ops, Supplier<Object> roundTrip, byte[] sample) {
        for (int i = 0; i < ops / 4; i++) {
            roundTrip.get();
        }
        long start = System.nanoTime();
        Object last = null;
        for (int i = 0; i < ops; i++) {
            last = roundTrip.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                "%s: %d bytes, %,.0f encode+decode round trips/s (%d in %.2f s, last %s)%n",
                name,
                sample.length,
                ops / seconds,
                ops,
                seconds,
                last.getClass().getSimpleName());
    }
}
