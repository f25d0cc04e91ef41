/**
 * Runnable example programs, one {@code main} each; {@code examples/run.sh NAME} runs one and
 * {@code examples/README.md} shows what each prints. Every program finishes by itself and exits 0
 * on success, 1 on failure.
 */
package dev.aspen.examples;
