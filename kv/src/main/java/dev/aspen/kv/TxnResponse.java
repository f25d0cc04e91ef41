package dev.aspen.kv;

import java.util.List;

/**
 * The result of a transaction: whether the compares held (then-branch) or not (else-branch), and
 * one result per operation of the executed branch, all reflecting {@code revision}.
 */
public record TxnResponse(long revision, boolean succeeded, List<OpResult> results) {}
