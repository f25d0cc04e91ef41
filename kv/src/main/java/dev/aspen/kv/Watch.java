package dev.aspen.kv;

/** A registered watch. Closing it stops delivery; it never throws. */
public interface Watch extends AutoCloseable {
    /** The node-local watch id. */
    long id();

    @Override
    void close();
}
