package dev.aspen.kv;

import java.util.List;

/**
 * Receives a watch's events. Calls for one watch never overlap and arrive in revision order, on a
 * watch dispatch thread: implementations must return quickly (a listener that falls behind by more
 * than the queue capacity is cancelled).
 */
public interface WatchListener {
    /** The events of one revision that match the watch, in the order they were applied. */
    void onEvents(List<WatchEvent> events);

    /**
     * The watch ended, after every event queued before the cancellation was delivered. Called at
     * most once; never called for a watch closed by its owner.
     */
    void onCancelled(KvException reason);
}
