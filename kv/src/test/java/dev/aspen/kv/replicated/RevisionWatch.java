package dev.aspen.kv.replicated;

import dev.aspen.consensus.sim.SimScheduler;
import dev.aspen.kv.ErrorCode;
import dev.aspen.kv.KeyRange;
import dev.aspen.kv.KvException;
import dev.aspen.kv.KvStateMachine;
import dev.aspen.kv.WatchEvent;
import dev.aspen.kv.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A prefix watch on one node from revision 1, re-opened from the last revision seen + 1 whenever
 * it is cancelled. Checks that revisions arrive strictly increasing, one batch per revision, with
 * no gap and no duplicate, and rebuilds the watched keys from the events alone. A re-open refused
 * with {@code compacted} (a snapshot install on the watching node drops the history) is a
 * documented, legitimate gap: the watch resumes at the oldest available revision and the run no
 * longer compares the rebuilt keys with the final state.
 */
final class RevisionWatch implements WatchListener {
    private final Supplier<KvStateMachine> machine;
    private final SimScheduler scheduler;
    private final Map<String, String> rebuilt = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private long lastRevision;
    private int reopened;
    private int compactedGaps;
    private int events;

    RevisionWatch(Supplier<KvStateMachine> machine, SimScheduler scheduler) {
        this.machine = machine;
        this.scheduler = scheduler;
    }

    /** Opens the watch from the next revision expected. */
    void open() {
        try {
            machine.get()
                    .watch(
                            KeyRange.prefix(KvClient.KEY_PREFIX.getBytes(StandardCharsets.UTF_8)),
                            lastRevision + 1,
                            false,
                            this);
        } catch (KvException e) {
            if (e.code() != ErrorCode.COMPACTED) {
                failures.add("watch could not be re-opened at " + (lastRevision + 1) + ": " + e);
                return;
            }
            compactedGaps++;
            lastRevision = e.oldestRevision() - 1;
            open();
        }
    }

    @Override
    public void onEvents(List<WatchEvent> batch) {
        long revision = batch.get(0).revision();
        if (revision != lastRevision + 1) {
            failures.add("watch saw revision " + revision + " after " + lastRevision
                    + (revision <= lastRevision ? " (duplicate or reordered)" : " (gap)"));
        }
        for (WatchEvent event : batch) {
            if (event.revision() != revision) {
                failures.add("one batch mixes revisions " + revision + " and " + event.revision());
            }
            String key = new String(event.kv().key(), StandardCharsets.UTF_8);
            if (event.type() == WatchEvent.Type.PUT) {
                rebuilt.put(key, new String(event.kv().value(), StandardCharsets.UTF_8));
            } else {
                rebuilt.remove(key);
            }
            events++;
        }
        lastRevision = Math.max(lastRevision, revision);
    }

    @Override
    public void onCancelled(KvException reason) {
        reopened++;
        scheduler.after(0, this::open);
    }

    /** The last revision delivered. */
    long lastRevision() {
        return lastRevision;
    }

    /** The watched keys rebuilt from the events (meaningful only without compacted gaps). */
    Map<String, String> rebuilt() {
        return rebuilt;
    }

    /** Whether a compacted re-open made a legitimate gap. */
    boolean hadCompactedGap() {
        return compactedGaps > 0;
    }

    /** Ordering violations seen. */
    List<String> failures() {
        return failures;
    }

    /** Counts for the run summary. */
    String summary() {
        return events + " watch events up to revision " + lastRevision + ", " + reopened + " re-opens, " + compactedGaps
                + " compacted gaps";
    }
}
