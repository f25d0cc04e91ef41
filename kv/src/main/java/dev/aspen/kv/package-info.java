/**
 * The replicated key/value state machine on Chronicle Map and the {@code KeyValueStore} API.
 * Placeholder until the key/value issue lands.
 */
package dev.aspen.kv;
