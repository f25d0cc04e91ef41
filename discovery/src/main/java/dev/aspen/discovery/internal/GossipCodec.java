package dev.aspen.discovery.internal;

import io.scalecube.cluster.transport.api.Message;
import io.scalecube.cluster.transport.api.MessageCodec;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gossip transport's message codec: ScaleCube's Java-serialization format, read through an
 * {@link ObjectInputFilter} that only admits ScaleCube's own message types and basic
 * {@code java.lang}/{@code java.util} classes with bounded depth, references and array sizes (the
 * transport is plaintext TCP reachable by anyone on the network). Counts bytes and messages in
 * each direction (the 4-byte frame length prefix is not included).
 */
public final class GossipCodec implements MessageCodec {
    /** Largest gossip frame accepted by the transport. */
    public static final int MAX_FRAME_BYTES = 256 * 1024;

    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter("maxdepth=16;maxrefs=20000;"
            + "maxarray=" + MAX_FRAME_BYTES + ";maxbytes=" + MAX_FRAME_BYTES + ";"
            + "io.scalecube.cluster.**;java.lang.*;java.util.*;!*");

    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder messagesReceived = new LongAdder();

    @Override
    public Message deserialize(InputStream stream) throws IOException, ClassNotFoundException {
        var counting = new FilterInputStream(stream) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesReceived.increment();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    bytesReceived.add(n);
                }
                return n;
            }
        };
        messagesReceived.increment();
        var message = new Message();
        try (var in = new ObjectInputStream(counting)) {
            in.setObjectInputFilter(FILTER);
            message.readExternal(in);
        }
        return message;
    }

    @Override
    public void serialize(Message message, OutputStream stream) throws IOException {
        var counting = new FilterOutputStream(stream) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                bytesSent.increment();
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                out.write(buffer, offset, length);
                bytesSent.add(length);
            }
        };
        messagesSent.increment();
        try (var out = new ObjectOutputStream(counting)) {
            message.writeExternal(out);
        }
    }

    /** Bytes of encoded messages written so far. */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Bytes of messages read so far. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Messages written so far. */
    public long messagesSent() {
        return messagesSent.sum();
    }

    /** Messages read so far. */
    public long messagesReceived() {
        return messagesReceived.sum();
    }
}
