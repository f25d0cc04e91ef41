package dev.aspen.mesh.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class FramesTest {
    @Test
    void roundTripsFramesBackToBack() throws IOException {
        var out = new ByteArrayOutputStream();
        Frames.write(out, new byte[] {1, 2, 3});
        Frames.write(out, new byte[0]);
        var in = new ByteArrayInputStream(out.toByteArray());
        assertThat(Frames.read(in, 1024)).containsExactly(1, 2, 3);
        assertThat(Frames.read(in, 1024)).isEmpty();
        assertThat(Frames.read(in, 1024)).as("clean end of stream").isNull();
    }

    @Test
    void rejectsAnOversizedLengthBeforeReadingOrAllocatingThePayload() {
        // Only the header is present: a reader that allocated and read first would report a short stream.
        var in = new ByteArrayInputStream(new byte[] {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThatThrownBy(() -> Frames.read(in, 16 * 1024 * 1024))
                .isInstanceOf(FrameException.class)
                .hasMessage("frame of 4294967295 bytes exceeds the limit of 16777216 bytes");
    }

    @Test
    void rejectsAnUnknownVersion() {
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(new byte[] {2, 0, 0, 0, 0}), 10))
                .isInstanceOf(FrameException.class)
                .hasMessage("frame version 2 is not supported; this node speaks 1");
    }

    @Test
    void rejectsAStreamThatEndsInsideAFrame() {
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(new byte[] {1, 0, 0}), 10))
                .isInstanceOf(FrameException.class)
                .hasMessage("stream ended inside a frame: frame length needs 4 bytes, got 2");
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(new byte[] {1, 0, 0, 0, 4, 9}), 10))
                .isInstanceOf(FrameException.class)
                .hasMessage("stream ended inside a frame: frame payload needs 4 bytes, got 1");
    }
}
