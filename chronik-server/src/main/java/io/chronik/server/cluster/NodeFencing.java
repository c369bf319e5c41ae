package io.chronik.server.cluster;

import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataStore;
import io.chronik.server.cluster.MetadataLeadership.FollowerContact;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences the nodes that stop answering, the way Kafka's controller fences brokers whose heartbeats stop: the metadata
 * leader, which hears from every voter at least every Raft heartbeat, records the members that have not answered it
 * for the node session timeout as {@link MetadataCommand.SetFencedNodes}, and clears them once they answer again.
 * Every node then leaves the fenced ones out of the brokers it names to clients, from its applied metadata, so all
 * nodes agree — a node's own view of who is down would differ from its neighbour's.
 *
 * <p>A new leader changes nothing until it has led for a whole session timeout: Ratis counts a follower's silence
 * from the start of the term, so only then does "silent longer than the timeout" mean "has not answered this leader at
 * all" — a node fenced by the previous leader stays fenced across the change instead of flapping.
 *
 * <p>Runs on the server's timer thread ({@link #run} every second or so); a run while the previous change is still
 * being committed does nothing.
 */
public final class NodeFencing implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(NodeFencing.class);

    private final int selfId;
    private final MetadataLeadership leadership;
    private final MetadataStore metadata;
    private final Supplier<? extends Collection<Integer>> members;
    private final long sessionTimeoutMs;
    private final AtomicBoolean changing = new AtomicBoolean();

    /**
     * @param members          the ids of the nodes clients may be told about (active and removing members)
     * @param sessionTimeoutMs how long a member may go without answering the leader before it is fenced
     */
    public NodeFencing(int selfId, MetadataLeadership leadership, MetadataStore metadata,
                       Supplier<? extends Collection<Integer>> members, long sessionTimeoutMs) {
        this.selfId = selfId;
        this.leadership = leadership;
        this.metadata = metadata;
        this.members = members;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    @Override
    public void run() {
        if (leadership.localLeaderTerm() < 0 || changing.get()) {
            return;
        }
        FollowerContact contact = leadership.followerContact().orElse(null);
        if (contact == null || contact.leadingMs() < sessionTimeoutMs) {
            return;
        }
        Set<Integer> before = metadata.image().fencedNodes();
        Set<Integer> after = unanswered(selfId, members.get(), contact, sessionTimeoutMs);
        if (after.equals(before) || !changing.compareAndSet(false, true)) {
            return;
        }
        metadata.submit(new MetadataCommand.SetFencedNodes(after)).whenComplete((done, failure) -> {
            changing.set(false);
            if (failure != null) {
                log.warn("could not record fenced nodes {}: {}", after, failure.toString());
            } else {
                log.info("fenced nodes now {} (were {}; fenced = no answer to the metadata leader for {} ms)", after,
                        before, sessionTimeoutMs);
            }
        });
    }

    /**
     * The members other than the leader that have not answered it for longer than the timeout. A member the leader
     * has no contact record for (not a voter of the metadata group yet) is not fenced: nothing says it is down.
     */
    static Set<Integer> unanswered(int selfId, Collection<Integer> members, FollowerContact contact,
                                   long sessionTimeoutMs) {
        Set<Integer> fenced = new TreeSet<>();
        for (int id : members) {
            Long silent = contact.silentMs().get(id);
            if (id != selfId && silent != null && silent > sessionTimeoutMs) {
                fenced.add(id);
            }
        }
        return fenced;
    }
}
