/**
 * Discovery: SWIM membership (ScaleCube) whose member metadata is a signed, MACed {@link
 * dev.aspen.discovery.PeerRecord}; the verified {@link dev.aspen.discovery.PeerDirectory}; seeds from
 * tickets and {@code --peers}; and the zero-config LAN beacon. Start with {@link
 * dev.aspen.discovery.Discovery#builder()}.
 */
package dev.aspen.discovery;
