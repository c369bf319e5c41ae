package io.chronik.server.group;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The life cycle of a classic consumer group, with the names Kafka puts on the wire (DescribeGroups,
 * ListGroups). The legal transitions are kept here and nowhere else.
 */
public enum GroupState {
    /** No members; the group may still hold committed offsets. */
    EMPTY("Empty"),
    /** A rebalance started; members must (re)join before it completes. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Every member joined; waiting for the leader's assignment in SyncGroup. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** The leader's assignment is known; members heartbeat. */
    STABLE("Stable"),
    /** Deleted (or being deleted); no operation may use it any more. */
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The state's name as Kafka spells it on the wire. */
    public String kafkaName() {
        return kafkaName;
    }

    /** Case-insensitive lookup by the wire name, as ListGroups' states filter uses it. */
    public static Optional<GroupState> fromKafkaName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (GroupState s : values()) {
            if (s.kafkaName.toLowerCase(Locale.ROOT).equals(lower)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Whether a group in {@code previous} may move to this state (Kafka's valid previous states). */
    public boolean canFollow(GroupState previous) {
        return validPrevious().contains(previous);
    }

    private Set<GroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.of(STABLE, PREPARING_REBALANCE, COMPLETING_REBALANCE, EMPTY, DEAD);
        };
    }
}
