package dev.aspen.consensus.store;

import java.nio.file.Path;

/**
 * A torn or corrupt tail cut from a file while opening a store: the bytes from {@code offset} to
 * the old end of {@code file} ({@code bytesCut} of them) did not form valid records, and no valid
 * record followed them. Only data that was never acknowledged as durable can be lost this way.
 */
public record TailRepair(Path file, long offset, long bytesCut, String reason) {}
