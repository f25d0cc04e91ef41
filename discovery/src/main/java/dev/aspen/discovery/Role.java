package dev.aspen.discovery;

/** What a node offers the cluster, as advertised in its {@link PeerRecord}. Advisory: Raft membership decides. */
public enum Role {
    /** Takes part in Raft elections and commits. */
    VOTER(1),
    /** Receives the Raft log without voting; may be promoted. */
    LEARNER(2),
    /** Holds no replica; only talks to the cluster as a client. */
    CLIENT_ONLY(3),
    /**
     * Runs a replica that is not a member of a formed group yet: waiting to bootstrap a new cluster
     * or asking to join one. Bootstrap counts these; a member of a formed group is never one.
     */
    PENDING(4);

    private final int code;

    Role(int code) {
        this.code = code;
    }

    /** The stable wire code. */
    public int code() {
        return code;
    }

    /**
     * The role with this wire code.
     *
     * @throws IllegalArgumentException if no role has it
     */
    public static Role ofCode(int code) {
        for (Role role : values()) {
            if (role.code == code) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role code " + code);
    }
}
