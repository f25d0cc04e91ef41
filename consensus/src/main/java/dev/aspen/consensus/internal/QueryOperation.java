package dev.aspen.consensus.internal;

/** Wraps a query so the state machine adapter can tell it from a command. Never serialized. */
record QueryOperation(byte[] query) {}
