package io.chronik.server.testing;

import io.chronik.server.cluster.MetadataLeadership;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Metadata leadership a test sets by hand: node 1 leads in {@link #term} while it is not negative (node 2 leads
 * otherwise), has led for {@link #leadingMs}, and has last heard from each follower {@link #silentMs} ago. Everything
 * is applied. Not thread-safe: set it between the calls under test.
 */
public final class SettableLeadership implements MetadataLeadership {

    public long term;
    public long leadingMs = 60_000;
    public final Map<Integer, Long> silentMs = new HashMap<>();

    public SettableLeadership(long term) {
        this.term = term;
    }

    @Override
    public int leaderNodeId() {
        return term >= 0 ? 1 : 2;
    }

    @Override
    public long localLeaderTerm() {
        return term;
    }

    @Override
    public boolean appliedAllCommitted() {
        return true;
    }

    @Override
    public Optional<FollowerContact> followerContact() {
        return term >= 0 ? Optional.of(new FollowerContact(leadingMs, silentMs)) : Optional.empty();
    }
}
