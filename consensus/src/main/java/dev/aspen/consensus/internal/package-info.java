/**
 * Implementation of the Raft group on MicroRaft: the group wrapper, the state machine and transport
 * adapters, the Raft thread executor and the exception mapping. Other modules must not import it.
 */
package dev.aspen.consensus.internal;
