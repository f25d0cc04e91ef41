package dev.aspen.kv.check;

import java.util.Objects;

/**
 * One operation on one key's register, as a client saw it: what it asked, when, and what came
 * back. Values are strings (null = key absent). Times are any monotonic clock (virtual or real
 * nanoseconds); {@code returnTime} is {@link Long#MAX_VALUE} when the outcome is unknown (timed
 * out, connection lost): such an operation may have taken effect at any time after its call, or
 * never.
 *
 * @param client who issued it (for explanations only)
 * @param kind write, read, compare-and-set or delete
 * @param value the value written (write), the value read (read), the new value (cas)
 * @param expected the value a cas required
 * @param ok whether a cas succeeded; true for other kinds
 */
public record RegisterOp(
        int client, Kind kind, String value, String expected, boolean ok, long callTime, long returnTime) {
    /** Operation kinds of the register model. */
    public enum Kind {
        WRITE,
        READ,
        CAS,
        DELETE
    }

    public static RegisterOp write(int client, String value, long call, long ret) {
        return new RegisterOp(client, Kind.WRITE, value, null, true, call, ret);
    }

    public static RegisterOp read(int client, String observed, long call, long ret) {
        return new RegisterOp(client, Kind.READ, observed, null, true, call, ret);
    }

    public static RegisterOp cas(int client, String expected, String value, boolean ok, long call, long ret) {
        return new RegisterOp(client, Kind.CAS, value, expected, ok, call, ret);
    }

    public static RegisterOp delete(int client, long call, long ret) {
        return new RegisterOp(client, Kind.DELETE, null, null, true, call, ret);
    }

    /** An operation whose outcome is unknown: a read with an unknown result is useless, so reads are not allowed. */
    public RegisterOp unknownOutcome() {
        if (kind == Kind.READ) {
            throw new IllegalArgumentException("a read with no result constrains nothing; leave it out");
        }
        return new RegisterOp(client, kind, value, expected, ok, callTime, Long.MAX_VALUE);
    }

    public boolean completed() {
        return returnTime != Long.MAX_VALUE;
    }

    /**
     * Applies this operation to register state {@code state}.
     *
     * @return the new state, or {@link #INCONSISTENT} if the operation's observed result is
     *     impossible from {@code state}
     */
    String step(String state) {
        return switch (kind) {
            case WRITE -> value;
            case DELETE -> null;
            case READ -> Objects.equals(state, value) ? state : INCONSISTENT;
            case CAS -> {
                boolean matches = Objects.equals(state, expected);
                if (!completed()) {
                    yield matches ? value : state; // unknown outcome: do what the model would do
                }
                yield matches == ok ? (ok ? value : state) : INCONSISTENT;
            }
        };
    }

    /** Marker for an impossible step (compared by identity). */
    static final String INCONSISTENT = new String("<inconsistent>");

    @Override
    public String toString() {
        String what =
                switch (kind) {
                    case WRITE -> "write(" + value + ")";
                    case READ -> "read -> " + value;
                    case CAS ->
                        "cas(" + expected + " -> " + value + ") " + (completed() ? (ok ? "ok" : "failed") : "?");
                    case DELETE -> "delete";
                };
        return "client " + client + " " + what + " [" + callTime + ", "
                + (completed() ? String.valueOf(returnTime) : "unknown") + "]";
    }
}
