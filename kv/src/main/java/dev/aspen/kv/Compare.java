package dev.aspen.kv;

/**
 * One condition of a transaction: {@code target(key) op operand}. A missing key has version,
 * create revision, mod revision and lease 0; a value comparison on a missing key is always false.
 * Values compare in unsigned byte order.
 *
 * @param key the key to inspect
 * @param target which attribute to compare
 * @param op the comparison
 * @param number the operand for every target but {@link Target#VALUE}
 * @param value the operand for {@link Target#VALUE} (empty otherwise)
 */
public record Compare(byte[] key, Target target, Op op, long number, byte[] value) {
    /** The compared attribute. */
    public enum Target {
        VALUE,
        VERSION,
        CREATE_REVISION,
        MOD_REVISION,
        LEASE
    }

    /** The comparison. */
    public enum Op {
        EQUAL,
        NOT_EQUAL,
        LESS,
        GREATER
    }

    /** Validates that no field is null and that the operand fits the target. */
    public Compare {
        if (key == null || target == null || op == null || value == null) {
            throw new IllegalArgumentException("compare fields must not be null");
        }
        if (target != Target.VALUE && value.length != 0) {
            throw new IllegalArgumentException("value operand only allowed for target VALUE, was " + target);
        }
    }

    /** Compares the value with {@code value}. */
    public static Compare value(byte[] key, Op op, byte[] value) {
        return new Compare(key, Target.VALUE, op, 0, value);
    }

    /** Compares a numeric attribute with {@code number}. */
    public static Compare number(byte[] key, Target target, Op op, long number) {
        if (target == Target.VALUE) {
            throw new IllegalArgumentException("use Compare.value(...) for target VALUE");
        }
        return new Compare(key, target, op, number, new byte[0]);
    }

    /** Whether {@code signum} (the sign of attribute minus operand) satisfies {@link #op()}. */
    public boolean accepts(int signum) {
        return switch (op) {
            case EQUAL -> signum == 0;
            case NOT_EQUAL -> signum != 0;
            case LESS -> signum < 0;
            case GREATER -> signum > 0;
        };
    }
}
