package io.chronik.server.partition;

/**
 * How a partition's preferred leader (the first replica of its assignment) is expressed to Raft. With automatic
 * balancing the preferred replica gets a higher Ratis priority, and Ratis hands leadership to it whenever it is up
 * and caught up; without, every replica has the same priority and leaders move only on failure or when an operator
 * moves them. Immutable.
 */
public record PreferredLeaders(boolean automatic) {

    /** The Ratis priority of the replica at this position of the assignment (0 = first). */
    public int priority(int position) {
        return automatic && position == 0 ? 1 : 0;
    }
}
