package dev.aspen.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalecube.cluster.transport.api.Message;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class GossipCodecTest {
    private final GossipCodec codec = new GossipCodec();

    private byte[] encode(Message message) throws Exception {
        var out = new ByteArrayOutputStream();
        codec.serialize(message, out);
        return out.toByteArray();
    }

    @Test
    void roundTripsAllowedTypesAndCountsBytes() throws Exception {
        Message message = Message.withData(new java.util.ArrayList<>(List.of("a", 1L)))
                .qualifier("test/q")
                .build();
        byte[] bytes = encode(message);
        Message back = codec.deserialize(new ByteArrayInputStream(bytes));
        assertThat(back.qualifier()).isEqualTo("test/q");
        assertThat((Object) back.data()).isEqualTo(List.of("a", 1L));
        assertThat(codec.bytesSent()).isEqualTo(bytes.length);
        assertThat(codec.bytesReceived()).isEqualTo(bytes.length);
        assertThat(codec.messagesSent()).isEqualTo(1);
        assertThat(codec.messagesReceived()).isEqualTo(1);
    }

    @Test
    void refusesClassesOutsideTheAllowList() throws Exception {
        byte[] bytes = encode(Message.withData(URI.create("http://example.invalid/"))
                .qualifier("x")
                .build());
        assertThatThrownBy(() -> codec.deserialize(new ByteArrayInputStream(bytes)))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("REJECTED");
    }
}
