package io.chronik.server.group;

import io.chronik.raft.metadata.GroupImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.utils.Time;

/**
 * The membership state of one classic group: its state, generation, chosen protocol, leader, members
 * (dynamic and static), members that were handed an id but have not joined yet, and its timers.
 *
 * <p>Every field is guarded by {@link #lock()}; the {@link GroupCoordinator} takes it around each request
 * and each timer callback. The invariants kept here: state changes follow {@link GroupState#canFollow};
 * the leader, when set, is a member; a static instance id maps to exactly one current member; the
 * generation only grows.
 */
final class ClassicGroup {

    private final String groupId;
    private final Time time;
    private final ReentrantLock lock = new ReentrantLock();
    private GroupState state = GroupState.EMPTY;
    /** When this coordinator saw the group enter its current state (Kafka's currentStateTimestamp). */
    private long stateSinceMs;
    private int generationId;
    /** Null until a member joins; kept after the last member leaves, as Kafka does. */
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Ids handed out with MEMBER_ID_REQUIRED, with the timer that forgets them. */
    private final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();
    /** Members of the current generation that have not sent SyncGroup yet. */
    private final Set<String> pendingSyncMembers = new HashSet<>();
    /** Set when a member joins during the very first rebalance; extends the initial delay once more. */
    private boolean newMemberAdded;
    private boolean initialDelayRunning;
    private ScheduledFuture<?> joinTimer;
    private ScheduledFuture<?> syncTimer;
    /** Bumped whenever a rebalance timer is (re)armed, so a timer that lost a race does nothing. */
    private long timerEpoch;

    ClassicGroup(String groupId, Time time) {
        this.groupId = groupId;
        this.time = time;
        this.stateSinceMs = time.milliseconds();
    }

    /**
     * The group as stored by {@link #image}: Stable at the stored generation with its members and assignments,
     * or Empty when it had none. Members offer only the protocol they were chosen with, as Kafka loads them; their
     * session timers are the caller's to start.
     */
    static ClassicGroup restored(GroupImage image, Time time) {
        ClassicGroup group = new ClassicGroup(image.groupId(), time);
        group.generationId = image.generationId();
        group.protocolType = image.protocolType();
        for (GroupImage.Member m : image.members()) {
            GroupMember member = new GroupMember(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(),
                    List.of(new MemberProtocol(image.protocolName(), m.subscription())));
            member.assignment(m.assignment());
            member.joined();
            group.add(member, image.protocolType());
        }
        if (!group.members.isEmpty()) {
            group.protocolName = image.protocolName();
            group.leaderId = group.members.containsKey(image.leaderId()) ? image.leaderId() : group.leaderId;
            group.state = GroupState.STABLE;
        }
        return group;
    }

    /** What a later coordinator needs to continue this generation; taken when it is Stable or Empty. */
    GroupImage image(long coordinatorEpoch) {
        List<GroupImage.Member> stored = new ArrayList<>();
        for (GroupMember m : members.values()) {
            stored.add(new GroupImage.Member(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), m.metadataFor(protocolName), m.assignment()));
        }
        return new GroupImage(groupId, coordinatorEpoch, generationId, protocolType, protocolName, leaderId, stored);
    }

    String groupId() {
        return groupId;
    }

    ReentrantLock lock() {
        return lock;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState next) {
        if (!next.canFollow(state)) {
            throw new IllegalStateException("group " + groupId + " cannot move from " + state + " to " + next);
        }
        state = next;
        stateSinceMs = time.milliseconds();
    }

    /**
     * When the group entered its current state, on this coordinator's clock; for a group this coordinator inherited
     * (restored, or known only by its offsets), when it was first looked up here — later than the truth, never
     * earlier, so what is measured from it (offsets retention) can only be postponed by a failover.
     */
    long stateSinceMs() {
        return stateSinceMs;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    GroupMember member(String memberId) {
        return members.get(memberId);
    }

    List<GroupMember> members() {
        return new ArrayList<>(members.values());
    }

    int size() {
        return members.size();
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** Members plus ids handed out but not yet used: what counts against the group size limit. */
    int sizeWithPending() {
        return members.size() + pendingMembers.size();
    }

    /** Adds a member; the first member of an empty group decides the group's protocol type. */
    void add(GroupMember member, String memberProtocolType) {
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        members.put(member.memberId(), member);
        if (member.groupInstanceId() != null) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    void remove(String memberId) {
        GroupMember m = members.remove(memberId);
        if (m == null) {
            return;
        }
        m.cancelExpiry();
        pendingSyncMembers.remove(memberId);
        if (m.groupInstanceId() != null && memberId.equals(staticMembers.get(m.groupInstanceId()))) {
            staticMembers.remove(m.groupInstanceId());
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Swaps the member behind a static instance id for {@code replacement}; returns the old member. */
    GroupMember replaceStatic(String groupInstanceId, GroupMember replacement) {
        String oldId = staticMembers.get(groupInstanceId);
        GroupMember old = members.remove(oldId);
        old.cancelExpiry();
        boolean wasLeader = oldId.equals(leaderId);
        boolean pendingSync = pendingSyncMembers.remove(oldId);
        members.put(replacement.memberId(), replacement);
        staticMembers.put(groupInstanceId, replacement.memberId());
        if (wasLeader) {
            leaderId = replacement.memberId();
        }
        if (pendingSync) {
            pendingSyncMembers.add(replacement.memberId());
        }
        return old;
    }

    boolean hasStatic(String groupInstanceId) {
        return groupInstanceId != null && staticMembers.containsKey(groupInstanceId);
    }

    String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    /** Whether a request names a known static instance under a member id that is no longer its own. */
    boolean isStaticMemberFenced(String groupInstanceId, String memberId) {
        if (groupInstanceId == null) {
            return false;
        }
        String current = staticMembers.get(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    boolean isPending(String memberId) {
        return pendingMembers.containsKey(memberId);
    }

    void addPending(String memberId, ScheduledFuture<?> timer) {
        pendingMembers.put(memberId, timer);
    }

    boolean removePending(String memberId) {
        ScheduledFuture<?> t = pendingMembers.remove(memberId);
        if (t != null) {
            t.cancel(false);
        }
        return t != null;
    }

    /** Every member has a parked JoinGroup and no handed-out id is still outstanding. */
    boolean allMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(m -> m.pendingJoin() != null);
    }

    int maxRebalanceTimeoutMs() {
        return members.values().stream().mapToInt(GroupMember::rebalanceTimeoutMs).max().orElse(0);
    }

    /**
     * Whether a member offering these protocols may join: an empty group takes any non-empty type and
     * protocol list; otherwise the type must match and at least one protocol must be one every member offers.
     */
    boolean supportsProtocols(String type, List<MemberProtocol> offered) {
        if (type == null || type.isEmpty() || offered.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        Set<String> common = commonProtocols();
        return offered.stream().anyMatch(p -> common.contains(p.name()));
    }

    private Set<String> commonProtocols() {
        Set<String> common = null;
        for (GroupMember m : members.values()) {
            Set<String> names = new LinkedHashSet<>();
            m.protocols().forEach(p -> names.add(p.name()));
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        return common == null ? Set.of() : common;
    }

    /**
     * Kafka's vote: among the protocols every member supports, each member votes for the first one in its
     * own preference order; the most votes win, ties going to the protocol listed earliest by the leader.
     */
    String selectProtocol() {
        Set<String> common = commonProtocols();
        if (common.isEmpty()) {
            throw new IllegalStateException("group " + groupId + " has no protocol every member supports");
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        GroupMember first = leaderId != null ? members.get(leaderId) : members.values().iterator().next();
        first.protocols().stream().map(MemberProtocol::name).filter(common::contains)
                .forEach(name -> votes.put(name, 0));
        for (GroupMember m : members.values()) {
            m.protocols().stream().map(MemberProtocol::name).filter(common::contains).findFirst()
                    .ifPresent(name -> votes.merge(name, 1, Integer::sum));
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /**
     * Starts the next generation once a rebalance's joins are in: with members, picks the protocol and moves
     * to CompletingRebalance (everyone owes a SyncGroup); without, moves to Empty.
     */
    void initNextGeneration() {
        generationId++;
        if (!members.isEmpty()) {
            if (leaderId == null || !members.containsKey(leaderId)) {
                leaderId = members.keySet().iterator().next();
            }
            protocolName = selectProtocol();
            transitionTo(GroupState.COMPLETING_REBALANCE);
            pendingSyncMembers.clear();
            pendingSyncMembers.addAll(members.keySet());
        } else {
            protocolName = null;
            leaderId = null;
            transitionTo(GroupState.EMPTY);
            pendingSyncMembers.clear();
        }
    }

    Set<String> pendingSyncMembers() {
        return pendingSyncMembers;
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void newMemberAdded(boolean added) {
        newMemberAdded = added;
    }

    boolean initialDelayRunning() {
        return initialDelayRunning;
    }

    void initialDelayRunning(boolean running) {
        initialDelayRunning = running;
    }

    /** Arms the rebalance (join) timer, cancelling any earlier one; returns the epoch the timer must match. */
    long nextTimerEpoch() {
        return ++timerEpoch;
    }

    long timerEpoch() {
        return timerEpoch;
    }

    void joinTimer(ScheduledFuture<?> timer) {
        if (joinTimer != null) {
            joinTimer.cancel(false);
        }
        joinTimer = timer;
    }

    void syncTimer(ScheduledFuture<?> timer) {
        if (syncTimer != null) {
            syncTimer.cancel(false);
        }
        syncTimer = timer;
    }

    /** Cancels every timer the group owns (rebalance, sync, members, pending ids). */
    void cancelTimers() {
        joinTimer(null);
        syncTimer(null);
        members.values().forEach(GroupMember::cancelExpiry);
        pendingMembers.values().forEach(t -> t.cancel(false));
        pendingMembers.clear();
    }
}
