/** Runnable example programs. Placeholder until the examples issue lands. */
package dev.aspen.examples;
