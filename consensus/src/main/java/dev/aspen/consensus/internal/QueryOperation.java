package dev.aspen.consensus.internal;

/**
 * Wraps a query so the state machine adapter can tell it from a command. Never serialized.
 *
 * @param lease whether it is a leader-lease read, which must not run before the leader has applied
 *     every entry it had when it was elected ({@link StateMachineAdapter#leaderElected})
 */
record QueryOperation(byte[] query, boolean lease) {}
