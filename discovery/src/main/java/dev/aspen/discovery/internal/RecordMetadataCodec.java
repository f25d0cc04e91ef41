package dev.aspen.discovery.internal;

import io.scalecube.cluster.metadata.MetadataCodec;
import java.nio.ByteBuffer;

/**
 * Member metadata is the encoded signed peer record, carried as raw bytes: no Java serialization.
 * ScaleCube serializes the local metadata each time a peer asks for it.
 */
public final class RecordMetadataCodec implements MetadataCodec {
    @Override
    public Object deserialize(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public ByteBuffer serialize(Object metadata) {
        if (!(metadata instanceof byte[] bytes)) {
            throw new IllegalArgumentException("local metadata must be the encoded signed record (byte[]), got "
                    + (metadata == null ? "null" : metadata.getClass().getName()));
        }
        return ByteBuffer.wrap(bytes.clone());
    }
}
