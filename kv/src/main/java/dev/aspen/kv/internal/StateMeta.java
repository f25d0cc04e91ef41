package dev.aspen.kv.internal;

import java.util.SortedMap;

/**
 * The scalar state besides the keys: the last applied log index, the store revision, the next lease
 * id to grant and every lease's TTL in seconds (sorted by id).
 */
public record StateMeta(long appliedIndex, long revision, long nextLeaseId, SortedMap<Long, Long> leaseTtls) {
    /** Writes the fields (lease count, then id and TTL per lease). */
    void writeTo(ByteWriter w) {
        w.writeVarLong(appliedIndex).writeVarLong(revision).writeVarLong(nextLeaseId);
        w.writeVarLong(leaseTtls.size());
        leaseTtls.forEach((id, ttl) -> w.writeVarLong(id).writeVarLong(ttl));
    }

    /** Reads what {@link #writeTo} wrote, refusing more than {@code maxLeases} leases. */
    public static StateMeta read(ByteReader r, int maxLeases) {
        long applied = r.readVarLong("applied index");
        long revision = r.readVarLong("revision");
        long nextLease = r.readVarLong("next lease id");
        int n = r.readVarInt("lease count", maxLeases);
        java.util.TreeMap<Long, Long> leases = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            leases.put(r.readVarLong("lease id"), r.readVarLong("lease ttl"));
        }
        return new StateMeta(applied, revision, nextLease, leases);
    }
}
