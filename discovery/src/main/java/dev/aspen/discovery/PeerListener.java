package dev.aspen.discovery;

/** Receives {@link PeerDirectory} changes. */
@FunctionalInterface
public interface PeerListener {
    /**
     * Called once per change, in the order the directory applied them, on the membership thread.
     * Must not block (hand work off to another thread); an exception is logged and ignored.
     */
    void onEvent(PeerEvent event);
}
