package dev.aspen.mesh.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A UDP socket that silently drops the datagrams {@link LinkFaults} blocks: a send to a blocked
 * address returns as if sent; a datagram received from one is discarded and {@link #receive} waits
 * for the next. Kwik uses only {@code send} and {@code receive} on its sockets.
 */
final class FaultyDatagramSocket extends DatagramSocket {
    private final LinkFaults faults;

    /** A socket bound to {@code local} (port 0 for an ephemeral one). */
    FaultyDatagramSocket(SocketAddress local, LinkFaults faults) throws SocketException {
        super(local);
        this.faults = faults;
    }

    @Override
    public void send(DatagramPacket packet) throws IOException {
        if (!faults.drops(packet.getAddress(), packet.getPort())) {
            super.send(packet);
        }
    }

    @Override
    public void receive(DatagramPacket packet) throws IOException {
        do {
            super.receive(packet);
        } while (faults.drops(packet.getAddress(), packet.getPort()));
    }
}
