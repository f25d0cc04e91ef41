package dev.aspen.mesh.client;

import dev.aspen.kv.Compare;
import dev.aspen.kv.DeleteResponse;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.GetResponse;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KeyValueStore;
import dev.aspen.kv.KvException;
import dev.aspen.kv.LeaseResponse;
import dev.aspen.kv.LeaseRevokeResponse;
import dev.aspen.kv.LeaseTimeToLiveResponse;
import dev.aspen.kv.PutAllResponse;
import dev.aspen.kv.PutResponse;
import dev.aspen.kv.ReadConsistency;
import dev.aspen.kv.ScanResponse;
import dev.aspen.kv.TxnOp;
import dev.aspen.kv.TxnResponse;
import dev.aspen.kv.Watch;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import dev.aspen.kv.wire.KvRequest;
import dev.aspen.kv.wire.KvWire;
import dev.aspen.kv.wire.WireFormatException;
import dev.aspen.mesh.quic.Protocol;
import dev.aspen.mesh.quic.QuicConfig;
import dev.aspen.mesh.rpc.PeerConnector;
import dev.aspen.mesh.rpc.RpcClient;
import dev.aspen.mesh.rpc.RpcException;
import dev.aspen.tickets.ClusterKey;
import dev.aspen.tickets.ClusterTicket;
import dev.aspen.tickets.NodeId;
import dev.aspen.tickets.TicketPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A remote {@link KeyValueStore}: every operation travels to a node of the cluster over pinned,
 * authenticated QUIC ({@value Protocol#CLIENT_ALPN}).
 *
 * <p>The client knows the cluster's nodes from a ticket (or explicit peers) and pins each NodeId;
 * it proves itself with the cluster key derived from the cookie. It talks to one node at a time,
 * the leader once a follower named it (writes and linearizable reads need the leader; a follower
 * forwards them when the leader is not among the client's peers). When the node is lost or
 * unavailable, the client moves to the next one: reads ({@code get}, {@code scan}, {@code
 * leaseTimeToLive}) are retried there, as are writes that provably never started ({@code
 * not_leader}); a write whose connection was lost mid-flight fails with {@code unavailable} and
 * "outcome unknown", since retrying it could apply it twice. A call refused because no leader is
 * known (an election is under way) is asked again every 100 ms for up to 5 s.
 *
 * <p>Watches deliver one event per {@link WatchListener#onEvents} call. Thread-safe. {@link
 * #close()} fails outstanding calls and releases every thread.
 *
 * <p>Threads: a returned future may complete on the thread that reads the connection's replies;
 * a callback that blocks holds up every other reply on that connection (use the {@code *Async}
 * stages for slow work). The client's own retries never run there: they go to two
 * {@code aspen-client-retry} threads (at most {@value #MAX_QUEUED_RETRIES} queued).
 */
public final class AspenClient implements KeyValueStore, AutoCloseable {
    /** Attempts per operation, across nodes. */
    static final int MAX_ATTEMPTS = 3;
    /** How long a call refused because no leader is known waits for an election, asking every {@link #ELECTION_POLL}. */
    static final Duration ELECTION_WAIT = Duration.ofSeconds(5);
    /** How often a call waiting for an election asks again. */
    static final Duration ELECTION_POLL = Duration.ofMillis(100);

    /** Retries waiting for a thread; beyond this a call fails with {@code unavailable}. */
    static final int MAX_QUEUED_RETRIES = 4096;

    private final PeerConnector connector;
    /**
     * Runs second and later attempts. Never the thread that completed the previous attempt: that is
     * a connection's reader thread (or the connector's timer, for a timeout), and an attempt may
     * dial a node for seconds, during which that connection's other replies would go unread and
     * every call's timeout unchecked.
     */
    private final ThreadPoolExecutor retries;

    private AspenClient(PeerConnector connector) {
        this.connector = connector;
        this.retries = new ThreadPoolExecutor(
                2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MAX_QUEUED_RETRIES), runnable -> {
                    Thread thread = new Thread(runnable, "aspen-client-retry");
                    thread.setDaemon(true);
                    return thread;
                });
        retries.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code task} on {@link #retries} after {@code delay}; fails {@code result} if it cannot. */
    private void retryLater(Runnable task, Duration delay, CompletableFuture<?> result) {
        Runnable submit = () -> {
            try {
                retries.execute(task);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(KvException.of(
                        ErrorCode.UNAVAILABLE,
                        retries.isShutdown()
                                ? "client is closed"
                                : "client has " + MAX_QUEUED_RETRIES + " retries queued; try again later"));
            }
        };
        if (delay.isZero()) {
            submit.run();
        } else {
            CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(submit);
        }
    }

    /**
     * Connects to the cluster a ticket names. Blocks until one of its nodes admits this client.
     *
     * @param cookie the cluster's cookie: clients prove themselves with the key derived from it
     * @throws dev.aspen.tickets.FormatException if the cookie is invalid or of another cluster
     * @throws IOException naming every node tried, when none can be reached or admits the client
     */
    public static AspenClient connect(ClusterTicket ticket, String cookie) throws IOException {
        return connect(ticket.peers(), PeerConnector.clusterKey(ticket, cookie), RpcClient.Settings.defaults());
    }

    /** Connects to explicit peers; see {@link #connect(ClusterTicket, String)}. */
    public static AspenClient connect(List<TicketPeer> peers, ClusterKey clusterKey, RpcClient.Settings settings)
            throws IOException {
        return connect(peers, clusterKey, settings, QuicConfig.builder().build());
    }

    /** As {@link #connect(List, ClusterKey, RpcClient.Settings)}, dialing with {@code dialer} (a node's link faults). */
    public static AspenClient connect(
            List<TicketPeer> peers, ClusterKey clusterKey, RpcClient.Settings settings, QuicConfig dialer)
            throws IOException {
        return new AspenClient(PeerConnector.open(peers, clusterKey, Protocol.CLIENT_ALPN, settings, dialer));
    }

    private <T> CompletableFuture<T> call(KvRequest.Call request, Class<T> type, boolean idempotent) {
        byte[] body;
        try {
            body = KvWire.encodeRequest(request);
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        }
        var result = new CompletableFuture<T>();
        attempt(body, ClientProtocol.DIRECT, type, idempotent, 1, System.nanoTime() + ELECTION_WAIT.toNanos(), result);
        return result;
    }

    /**
     * One try of a call. The first goes {@link ClientProtocol#DIRECT}: a follower answers {@code
     * not_leader} naming the leader, and the client moves there for this and later calls (one hop
     * less than a forward, on every call). When the leader is none of the client's peers, the call
     * is sent again to the same node, which forwards it.
     */
    private <T> void attempt(
            byte[] body,
            int hops,
            Class<T> type,
            boolean idempotent,
            int attempt,
            long electionDeadline,
            CompletableFuture<T> result) {
        byte[] bytes = ClientProtocol.request(hops, body);
        RpcClient rpc;
        try {
            rpc = connector.connection();
        } catch (IOException e) {
            result.completeExceptionally(KvException.of(ErrorCode.UNAVAILABLE, e.getMessage()));
            return;
        }
        rpc.call(bytes).whenComplete((reply, failure) -> {
            KvException error;
            if (failure == null) {
                Object decoded;
                try {
                    decoded = KvWire.decodeResponse(reply);
                } catch (WireFormatException e) {
                    result.completeExceptionally(KvException.of(ErrorCode.UNAVAILABLE, "bad reply: " + e.getMessage()));
                    return;
                }
                if (!(decoded instanceof KvException kv)) {
                    complete(result, decoded, type);
                    return;
                }
                error = kv;
            } else {
                error = transportError(failure, idempotent);
            }
            if (error.code() == ErrorCode.NOT_LEADER
                    && error.leaderId().isEmpty()
                    && System.nanoTime() - electionDeadline < 0) {
                // An election is under way; the call was refused, not applied. Ask again shortly.
                retryLater(
                        () -> attempt(body, hops, type, idempotent, attempt, electionDeadline, result),
                        ELECTION_POLL,
                        result);
                return;
            }
            boolean retry = attempt < MAX_ATTEMPTS
                    && (error.code() == ErrorCode.NOT_LEADER || (idempotent && error.code() == ErrorCode.UNAVAILABLE));
            if (retry && error.code() == ErrorCode.NOT_LEADER && hops == ClientProtocol.DIRECT) {
                boolean followed = error.leaderId()
                        .map(leader -> connector.follow(rpc, leader))
                        .orElse(false);
                int nextHops = followed ? ClientProtocol.DIRECT : ClientProtocol.FORWARDABLE;
                retryLater(
                        () -> attempt(body, nextHops, type, idempotent, attempt + 1, electionDeadline, result),
                        Duration.ZERO,
                        result);
            } else if (retry) {
                connector.moveOn(rpc, error.leaderId());
                retryLater(
                        () -> attempt(body, hops, type, idempotent, attempt + 1, electionDeadline, result),
                        Duration.ZERO,
                        result);
            } else {
                if (failure != null) {
                    connector.moveOn(rpc, java.util.Optional.empty());
                }
                result.completeExceptionally(error);
            }
        });
    }

    private static <T> void complete(CompletableFuture<T> result, Object decoded, Class<T> type) {
        if (type.isInstance(decoded)) {
            result.complete(type.cast(decoded));
        } else {
            result.completeExceptionally(KvException.of(
                    ErrorCode.UNAVAILABLE,
                    "expected " + type.getSimpleName() + " but the node sent "
                            + decoded.getClass().getSimpleName()));
        }
    }

    private static KvException transportError(Throwable failure, boolean idempotent) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (cause instanceof RpcException rpc && rpc.kind() == RpcException.Kind.TOO_MANY_IN_FLIGHT) {
            return KvException.of(ErrorCode.UNAVAILABLE, rpc.getMessage());
        }
        String outcome = idempotent ? "" : "; the write's outcome is unknown";
        return KvException.unreachable("lost the node: " + cause.getMessage() + outcome);
    }

    @Override
    public CompletableFuture<PutResponse> put(byte[] key, byte[] value, long lease, boolean prevKv) {
        return call(new KvRequest.Put(key, value, lease, prevKv), PutResponse.class, false);
    }

    @Override
    public CompletableFuture<GetResponse> get(byte[] key, ReadConsistency consistency) {
        return call(new KvRequest.Get(key, consistency), GetResponse.class, true);
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(KeyRange range, boolean prevKv) {
        return call(new KvRequest.Delete(range, prevKv), DeleteResponse.class, false);
    }

    @Override
    public CompletableFuture<PutAllResponse> putAll(List<TxnOp.Put> puts) {
        return call(new KvRequest.PutAll(puts), PutAllResponse.class, false);
    }

    @Override
    public CompletableFuture<ScanResponse> scan(
            KeyRange range, int limit, boolean keysOnly, ReadConsistency consistency) {
        return call(new KvRequest.Scan(range, limit, keysOnly, consistency), ScanResponse.class, true);
    }

    @Override
    public CompletableFuture<TxnResponse> txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) {
        return call(new KvRequest.Txn(compares, success, failure), TxnResponse.class, false);
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseGrant(long ttlSeconds) {
        return call(new KvRequest.LeaseGrant(ttlSeconds), LeaseResponse.class, false);
    }

    @Override
    public CompletableFuture<LeaseResponse> leaseKeepAlive(long leaseId) {
        return call(new KvRequest.LeaseKeepAlive(leaseId), LeaseResponse.class, false);
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(long leaseId) {
        return call(new KvRequest.LeaseRevoke(leaseId), LeaseRevokeResponse.class, false);
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(long leaseId, ReadConsistency consistency) {
        return call(new KvRequest.LeaseTimeToLive(leaseId, consistency), LeaseTimeToLiveResponse.class, true);
    }

    /**
     * Opens a watch on the current node. The future completes once the node registered it, or fails
     * as a local watch would (for example {@code compacted}); later the listener gets each event,
     * then {@code onCancelled} if the node or the connection ends the watch.
     */
    @Override
    public CompletableFuture<Watch> watch(KeyRange range, long startRevision, boolean prevKv, WatchListener listener) {
        byte[] bytes;
        RpcClient rpc;
        try {
            bytes = ClientProtocol.request(
                    ClientProtocol.FORWARDABLE,
                    KvWire.encodeRequest(new KvRequest.Watch(range, startRevision, prevKv)));
            rpc = connector.connection();
        } catch (KvException e) {
            return CompletableFuture.failedFuture(e);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(KvException.of(ErrorCode.UNAVAILABLE, e.getMessage()));
        }
        var opened = new CompletableFuture<Watch>();
        var handle = new RemoteWatch();
        RpcClient.Watch stream = rpc.watch(bytes, message -> {
            Object decoded;
            try {
                decoded = ClientProtocol.decodeWatchMessage(message);
            } catch (WireFormatException e) {
                decoded = KvException.of(ErrorCode.UNAVAILABLE, "bad watch message: " + e.getMessage());
            }
            if (decoded == ClientProtocol.WATCH_REGISTERED) {
                opened.complete(handle);
            } else if (decoded instanceof WatchEvent event) {
                opened.complete(handle);
                listener.onEvents(List.of(event));
            } else if (decoded instanceof KvException error) {
                if (!opened.completeExceptionally(error)) {
                    listener.onCancelled(error);
                }
            }
        });
        handle.attach(stream);
        stream.ended().whenComplete((reason, failure) -> {
            if (failure != null) {
                KvException lost =
                        KvException.of(ErrorCode.UNAVAILABLE, "watch connection lost: " + failure.getMessage());
                if (!opened.completeExceptionally(lost)) {
                    listener.onCancelled(lost);
                }
            }
        });
        return opened;
    }

    /**
     * The handle of a remote watch. Its first message may arrive before the stream handle is known,
     * so a close that comes first is remembered and applied on attach.
     */
    private static final class RemoteWatch implements Watch {
        private RpcClient.Watch stream;
        private boolean closed;

        synchronized void attach(RpcClient.Watch value) {
            stream = value;
            if (closed) {
                stream.close();
            }
        }

        @Override
        public long id() {
            return -1;
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (stream != null) {
                stream.close();
            }
        }
    }

    /** The node this client is connected to now, if any. */
    public java.util.Optional<NodeId> currentNode() {
        return connector.currentNode();
    }

    @Override
    public void close() {
        connector.close();
        retries.shutdown(); // queued retries still run, and fail at once: the connector is closed
    }
}
