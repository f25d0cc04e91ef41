/**
 * SWIM membership (ScaleCube) with signed peer records, the verified peer directory, seeds from
 * tickets and the zero-config LAN beacon. Placeholder until the discovery issue lands.
 */
package dev.aspen.discovery;
