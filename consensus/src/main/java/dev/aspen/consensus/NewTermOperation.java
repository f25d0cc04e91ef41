package dev.aspen.consensus;

/**
 * The no-op every new leader commits at the start of its term (MicroRaft's {@code
 * StateMachine.getNewTermOperation()}). It appears in the log and is never passed to the
 * application's state machine.
 */
public enum NewTermOperation {
    INSTANCE
}
