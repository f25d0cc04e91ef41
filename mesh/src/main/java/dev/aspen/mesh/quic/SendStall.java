package dev.aspen.mesh.quic;

import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * Detects Kwik 0.10.8's lost-send race on a stream: data buffered for sending with no send
 * scheduled, so it leaves only when something is written to the stream again.
 *
 * <p>The race: Kwik's stream output counts its queued send requests ({@code sendRequestsQueued})
 * and queues one only when the count is 0, but it queues the request <em>before</em> incrementing
 * the count. If the sender thread runs that request in between, it decrements the count to -1, and
 * when the data did not fit in one frame (a write larger than a packet, or a packet with little
 * room left) its own request for the rest sees -1 and is skipped; the writer then increments to 0.
 * The rest waits for the next write. A retransmission queued by Kwik's receiver or loss-detection
 * thread can race the same way.
 *
 * <p>This reads private fields of Kwik's {@code StreamOutputStreamImpl}; if they are missing (a
 * different Kwik version), {@link #stalled} always answers false and the callers' timed nudges
 * remain the only guard.
 */
public final class SendStall {
    private static final Logger log = LoggerFactory.getLogger(SendStall.class);
    private static final Probe PROBE = Probe.load();

    private SendStall() {}

    /**
     * True if {@code out} is a Kwik stream output holding unsent data with no send scheduled. A true
     * answer can be momentary while Kwik's sender is mid-way through the stream; callers confirm it
     * on a later check before acting. False for any other stream. Never blocks, never throws.
     */
    public static boolean stalled(OutputStream out) {
        return PROBE != null && PROBE.stalled(out);
    }

    private record Probe(
            Class<?> type,
            Field requests,
            Field buffer,
            Method hasData,
            Field retransmit,
            Method hasRetransmit,
            Field flowControl,
            Field stream,
            Method blockReason) {
        static Probe load() {
            try {
                Class<?> type = Class.forName("tech.kwik.core.stream.StreamOutputStreamImpl");
                Field requests = accessible(type.getDeclaredField("sendRequestsQueued"));
                Field buffer = accessible(type.getDeclaredField("sendBuffer"));
                Field retransmit = accessible(type.getDeclaredField("retransmitBuffer"));
                Field flowControl = accessible(type.getDeclaredField("flowController"));
                Field stream = accessible(type.getDeclaredField("quicStream"));
                return new Probe(
                        type,
                        requests,
                        buffer,
                        buffer.getType().getMethod("hasData"),
                        retransmit,
                        retransmit.getType().getMethod("hasDataToRetransmit"),
                        flowControl,
                        stream,
                        flowControl.getType().getMethod("getFlowControlBlockReason", QuicStream.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.warn(
                        "cannot watch Kwik streams for stalled sends ({}); relying on timed nudges only", e.toString());
                return null;
            }
        }

        private static Field accessible(Field field) {
            field.setAccessible(true);
            return field;
        }

        boolean stalled(OutputStream out) {
            if (!type.isInstance(out)) {
                return false;
            }
            try {
                if (((AtomicInteger) requests.get(out)).get() > 0) {
                    return false;
                }
                boolean pending = (boolean) hasData.invoke(buffer.get(out))
                        || (boolean) hasRetransmit.invoke(retransmit.get(out));
                // A stream blocked by flow control legitimately waits, with no send scheduled, for the peer's credit.
                return pending
                        && "NOT_BLOCKED"
                                .equals(String.valueOf(blockReason.invoke(flowControl.get(out), stream.get(out))));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
