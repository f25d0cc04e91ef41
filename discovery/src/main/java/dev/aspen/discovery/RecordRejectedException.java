package dev.aspen.discovery;

/** A peer record that failed decoding or verification; {@link #reason()} says which check. */
public final class RecordRejectedException extends RuntimeException {
    private final RejectReason reason;

    /** With the failed check and a message naming the problem. */
    public RecordRejectedException(RejectReason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** The check that failed. */
    public RejectReason reason() {
        return reason;
    }
}
