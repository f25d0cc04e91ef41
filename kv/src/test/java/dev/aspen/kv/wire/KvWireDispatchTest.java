package dev.aspen.kv.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DirectCommandLog;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvConfig;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two identical stores fed the same calls, one directly and one through the wire (encode request,
 * decode, {@link KvRequest.Call#dispatch}, encode the outcome, decode): every result and error is
 * the same, and watch events forwarded as bytes equal the direct watch's events.
 */
class KvWireDispatchTest {
    @TempDir
    Path directDir;

    @TempDir
    Path wireDir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private KeyValueStore direct;
    private KeyValueStore served;

    @BeforeEach
    void openStores() {
        direct = store(directDir);
        served = store(wireDir);
    }

    @AfterEach
    void closeStores() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private KeyValueStore store(Path dir) {
        KvStateMachine machine = KvStateMachine.open(KvConfig.builder(dir)
                .maxKeys(1_000)
                .largeValueBytes(8L * 1024 * 1024)
                .maxLeases(2)
                .watchExecutor(Runnable::run)
                .build());
        DirectCommandLog log = new DirectCommandLog(machine);
        open.add(machine);
        open.add(log);
        return KeyValueStore.over(log, machine, null);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a client would see: the decoded response record or the decoded error value. */
    private Object overWire(KvRequest.Call request) throws Exception {
        KvRequest decoded = KvWire.decodeRequest(KvWire.encodeRequest(request));
        byte[] response = ((KvRequest.Call) decoded)
                .dispatch(served)
                .handle(KvWire::encodeOutcome)
                .get(30, TimeUnit.SECONDS);
        return KvWire.decodeResponse(response);
    }

    private static Object outcome(CompletableFuture<?> future) throws Exception {
        return future.handle((value, failure) ->
                        failure == null ? value : failure.getCause() != null ? failure.getCause() : failure)
                .get(30, TimeUnit.SECONDS);
    }

    private void assertSame(KvRequest.Call request, CompletableFuture<?> directCall) throws Exception {
        Object expected = outcome(directCall);
        Object actual = overWire(request);
        if (expected instanceof KvException e) {
            assertThat(actual).isInstanceOf(KvException.class);
            KvWireProperties.assertSameError((KvException) actual, e);
        } else if (expected instanceof LeaseTimeToLiveResponse) {
            assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void putOverTheWireMatchesADirectPut() throws Exception {
        PutResponse first = (PutResponse) overWire(new KvRequest.Put(b("k"), b("v1"), 0, false));
        PutResponse second = (PutResponse) overWire(new KvRequest.Put(b("k"), b("v2"), 0, true));
        PutResponse directFirst = direct.put(b("k"), b("v1"), 0, false).get(30, TimeUnit.SECONDS);
        PutResponse directSecond = direct.put(b("k"), b("v2"), 0, true).get(30, TimeUnit.SECONDS);

        assertThat(first).isEqualTo(directFirst);
        assertThat(second).isEqualTo(directSecond);
        assertThat(second.prevKv())
                .hasValueSatisfying(kv -> assertThat(kv.value()).isEqualTo(b("v1")));
    }

    @Test
    void everyCallAndErrorOverTheWireMatchesTheDirectStore() throws Exception {
        assertSame(new KvRequest.Put(b("a"), b("1"), 0, false), direct.put(b("a"), b("1"), 0, false));
        assertSame(new KvRequest.Put(new byte[0], b("1"), 0, false), direct.put(new byte[0], b("1"), 0, false));
        List<TxnOp.Put> puts = List.of(new TxnOp.Put(b("b"), b("2"), 0, false), new TxnOp.Put(b("c"), b("3"), 0, true));
        assertSame(new KvRequest.PutAll(puts), direct.putAll(puts));
        assertSame(
                new KvRequest.Get(b("a"), ReadConsistency.LINEARIZABLE),
                direct.get(b("a"), ReadConsistency.LINEARIZABLE));
        assertSame(new KvRequest.Get(b("zz"), ReadConsistency.stale()), direct.get(b("zz"), ReadConsistency.stale()));
        KeyRange all = KeyRange.prefix(new byte[0]);
        assertSame(
                new KvRequest.Scan(all, 2, false, ReadConsistency.LEASE),
                direct.scan(all, 2, false, ReadConsistency.LEASE));
        assertSame(new KvRequest.Get(b("a"), ReadConsistency.stale(99)), direct.get(b("a"), ReadConsistency.stale(99)));
        List<Compare> compares = List.of(Compare.value(b("a"), Compare.Op.EQUAL, b("1")));
        List<TxnOp> then = List.of(new TxnOp.Put(b("d"), b("4"), 0, false), new TxnOp.Scan(all, 0, true));
        List<TxnOp> otherwise = List.of(new TxnOp.Get(b("a")));
        assertSame(new KvRequest.Txn(compares, then, otherwise), direct.txn(compares, then, otherwise));
        assertSame(new KvRequest.LeaseGrant(60), direct.leaseGrant(60));
        assertSame(new KvRequest.LeaseGrant(0), direct.leaseGrant(0));
        assertSame(new KvRequest.Put(b("e"), b("5"), 1, false), direct.put(b("e"), b("5"), 1, false));
        assertSame(new KvRequest.LeaseKeepAlive(1), direct.leaseKeepAlive(1));
        assertSame(
                new KvRequest.LeaseTimeToLive(1, ReadConsistency.LINEARIZABLE),
                direct.leaseTimeToLive(1, ReadConsistency.LINEARIZABLE));
        assertSame(new KvRequest.LeaseRevoke(1), direct.leaseRevoke(1));
        assertSame(new KvRequest.LeaseRevoke(1), direct.leaseRevoke(1));
        assertSame(
                new KvRequest.Delete(KeyRange.between(b("b"), b("d")), true),
                direct.delete(KeyRange.between(b("b"), b("d")), true));
        assertSame(
                new KvRequest.Scan(all, 0, false, ReadConsistency.LINEARIZABLE),
                direct.scan(all, 0, false, ReadConsistency.LINEARIZABLE));
    }

    @Test
    void watchEventsForwardedAsBytesMatchTheDirectWatch() throws Exception {
        KvRequest.Watch request = (KvRequest.Watch)
                KvWire.decodeRequest(KvWire.encodeRequest(new KvRequest.Watch(KeyRange.prefix(b("w")), 0, true)));
        List<byte[]> stream = new CopyOnWriteArrayList<>();
        List<WatchEvent> directEvents = new CopyOnWriteArrayList<>();
        Watch forwarded = served.watch(
                        request.range(),
                        request.startRevision(),
                        request.prevKv(),
                        listener(e -> stream.add(KvWire.encodeEvent(e))))
                .get(30, TimeUnit.SECONDS);
        Watch local = direct.watch(KeyRange.prefix(b("w")), 0, true, listener(directEvents::add))
                .get(30, TimeUnit.SECONDS);
        open.add(forwarded);
        open.add(local);
        for (KeyValueStore kv : List.of(direct, served)) {
            kv.put(b("w1"), b("x"), 0, false).get(30, TimeUnit.SECONDS);
            kv.put(b("w1"), b("y"), 0, false).get(30, TimeUnit.SECONDS);
            kv.put(b("other"), b("z"), 0, false).get(30, TimeUnit.SECONDS);
            kv.delete(KeyRange.key(b("w1")), false).get(30, TimeUnit.SECONDS);
        }

        List<WatchEvent> decoded = stream.stream().map(KvWire::decodeEvent).toList();
        assertThat(decoded).hasSize(3).isEqualTo(directEvents);
        assertThat(decoded.get(1).prevKv())
                .hasValueSatisfying(kv -> assertThat(kv.value()).isEqualTo(b("x")));
    }

    private static WatchListener listener(java.util.function.Consumer<WatchEvent> sink) {
        return new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                events.forEach(sink);
            }

            @Override
            public void onCancelled(KvException reason) {}
        };
    }
}
