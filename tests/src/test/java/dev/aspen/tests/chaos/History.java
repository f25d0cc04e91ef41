package dev.aspen.tests.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The operations of one run, recorded by every client thread. Thread-safe. */
final class History {
    /** Bound on recorded operations: a run that reaches it stops its clients rather than grow without limit. */
    static final int MAX_OPS = 2_000_000;

    private final long origin = System.nanoTime();
    private final List<Op> ops = new ArrayList<>();
    private final List<LeaseOp> leaseOps = new ArrayList<>();

    /** Nanoseconds since the run started: the clock of every call and return time. */
    long now() {
        return System.nanoTime() - origin;
    }

    /** Records a finished (or given-up) operation; false once {@link #MAX_OPS} is reached. */
    synchronized boolean add(Op op) {
        if (ops.size() >= MAX_OPS) {
            return false;
        }
        ops.add(op);
        return true;
    }

    /** Records a lease step; false once {@link #MAX_OPS} lease steps are recorded. */
    synchronized boolean addLease(LeaseOp op) {
        if (leaseOps.size() >= MAX_OPS) {
            return false;
        }
        leaseOps.add(op);
        return true;
    }

    /** A copy of every lease step so far, in call order. */
    synchronized List<LeaseOp> leaseOps() {
        var copy = new ArrayList<>(leaseOps);
        copy.sort(Comparator.comparingLong(LeaseOp::callTime));
        return copy;
    }

    /** A copy of every operation so far, in call order. */
    synchronized List<Op> ops() {
        var copy = new ArrayList<>(ops);
        copy.sort(Comparator.comparingLong(Op::callTime));
        return copy;
    }

    /** Writes one line per operation, in call order, then the lease steps. */
    void write(Path file) throws IOException {
        var lines = new ArrayList<String>();
        lines.add(
                "# client  key            operation                                outcome [call ns, return ns] @revision");
        ops().forEach(op -> lines.add(op.toString()));
        lines.add("# lease steps: client  key  lease  step  outcome [call ns, return ns]");
        leaseOps().forEach(op -> lines.add(op.toString()));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
