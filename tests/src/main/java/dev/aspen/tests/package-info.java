/**
 * Multi-process end-to-end, chaos and linearizability suites. Placeholder until the reliability
 * issue lands.
 */
package dev.aspen.tests;
