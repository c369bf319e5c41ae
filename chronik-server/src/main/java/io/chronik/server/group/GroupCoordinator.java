package io.chronik.server.group;

import io.chronik.raft.metadata.CommittedOffset;
import io.chronik.raft.metadata.GroupImage;
import io.chronik.server.group.GroupMember.PendingJoin;
import io.chronik.server.group.GroupMember.PendingSync;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's classic group coordinator: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
 * OffsetFetch, OffsetDelete, DescribeGroups, ListGroups and DeleteGroups, at every version kafka-clients' generated
 * message classes know. Membership lives in memory and each Stable or Empty generation is also written to the
 * {@link GroupStore}, with the committed offsets, so a coordinator that starts (after a failover or a restart)
 * continues every group's last agreed generation: its members keep heartbeating and committing without a rebalance.
 *
 * <p>Callers are the server's request handlers, on request-handler threads. No call blocks for long:
 * JoinGroup and SyncGroup that must wait for other members return a future completed later (by another
 * member's request or by a timer), and OffsetCommit/DeleteGroups complete once the store has them.
 *
 * <p>Thread-safety: every group's state is guarded by that group's lock; timers (session expiry,
 * rebalance and sync deadlines) run on the given scheduler and take the same lock. Futures are completed
 * after the lock is released, on whichever thread decided them: the caller's own thread, another member's
 * request thread (the leader's SyncGroup completes the followers'), a scheduler thread (deadlines), or the
 * thread that completes the {@link GroupStore}'s future. Callers must not block in what they chain
 * onto these futures. The scheduler is borrowed, not owned: {@link #close()} cancels the timers but does
 * not shut it down.
 *
 * <p>Offsets retention: each {@link #expireOffsets()} run (driven by {@link ActiveCoordinator} while this node
 * coordinates) deletes what {@link OffsetRetention} says has expired and forgets Empty groups left with no offsets
 * (they become Dead, as in Kafka).
 *
 * <p>Not done: KIP-848 groups, transactional offset commits.
 */
public final class GroupCoordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

    /** How long a brand-new member may wait in its first JoinGroup before it is dropped (Kafka's value). */
    static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
    static final String CLASSIC_GROUP_TYPE = "classic";
    private static final int GROUP_AUTHORIZED_OPERATIONS = Utils.to32BitField(Set.of(
            AclOperation.READ.code(), AclOperation.DESCRIBE.code(), AclOperation.DELETE.code()));

    private final GroupStore store;
    private final long coordinatorEpoch;
    private final ScheduledExecutorService scheduler;
    private final GroupConfig config;
    private final GroupRegistry registry;
    private final GroupOffsets offsetRequests;
    private final Time time;
    private final OffsetRetention retention;
    private volatile boolean closed;

    /**
     * @param coordinatorEpoch the metadata leadership term this coordinator serves; stamped on every membership it
     *                         stores, so a later coordinator's writes win over this one's
     */
    public GroupCoordinator(GroupStore store, long coordinatorEpoch, ScheduledExecutorService scheduler, Time time,
                            GroupConfig config) {
        this.store = store;
        this.coordinatorEpoch = coordinatorEpoch;
        this.scheduler = scheduler;
        this.config = config;
        this.registry = new GroupRegistry(store, time);
        this.offsetRequests = new GroupOffsets(store, registry, time, this::keepAlive);
        this.time = time;
        this.retention = new OffsetRetention(config.offsetsRetentionMs());
        // Restored members get a full session from now to find this coordinator; those that do not are removed.
        for (ClassicGroup group : registry.all()) {
            registry.locked(group, out -> {
                group.members().forEach(m -> scheduleSession(group, m));
                return null;
            });
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short version,
                                                              String clientId, String clientHost) {
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (closed) {
            return CompletableFuture.completedFuture(joinError(version, memberId, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(joinError(version, memberId, Errors.INVALID_GROUP_ID));
        }
        int sessionTimeoutMs = request.sessionTimeoutMs();
        if (sessionTimeoutMs < config.minSessionTimeoutMs() || sessionTimeoutMs > config.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(joinError(version, memberId, Errors.INVALID_SESSION_TIMEOUT));
        }
        JoinParams p = new JoinParams(memberId, version >= 5 ? request.groupInstanceId() : null,
                clientId == null ? "" : clientId, clientHost == null ? "" : clientHost,
                version == 0 || request.rebalanceTimeoutMs() <= 0 ? sessionTimeoutMs : request.rebalanceTimeoutMs(),
                sessionTimeoutMs, request.protocolType(), protocolsOf(request), version);
        ClassicGroup group = memberId.isEmpty() ? registry.findOrCreate(groupId) : registry.find(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(joinError(version, memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        registry.locked(group, out -> {
            if (group.is(GroupState.DEAD)) {
                out.complete(result, joinError(version, memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            } else if (!group.supportsProtocols(p.protocolType, p.protocols)) {
                out.complete(result, joinError(version, memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            } else if (memberId.isEmpty()) {
                joinNewMember(group, p, result, out);
            } else {
                joinKnownMember(group, p, result, out);
            }
            return null;
        });
        return result;
    }

    /** A JoinGroup's inputs after version defaults are applied. */
    private record JoinParams(String memberId, String groupInstanceId, String clientId, String clientHost,
                              int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType,
                              List<MemberProtocol> protocols, short version) { }

    private static List<MemberProtocol> protocolsOf(JoinGroupRequestData request) {
        List<MemberProtocol> list = new ArrayList<>();
        if (request.protocols() != null) {
            request.protocols().forEach(pr -> list.add(new MemberProtocol(pr.name(), pr.metadata())));
        }
        return list;
    }

    private void joinNewMember(ClassicGroup group, JoinParams p, CompletableFuture<JoinGroupResponseData> result,
                               Completions out) {
        if (group.hasStatic(p.groupInstanceId)) {
            replaceStaticMember(group, p, result, out);
            return;
        }
        if (group.sizeWithPending() >= config.maxGroupSize()) {
            out.complete(result, joinError(p.version, "", Errors.GROUP_MAX_SIZE_REACHED));
            return;
        }
        String newMemberId = p.clientId + "-" + UUID.randomUUID();
        if (p.groupInstanceId == null && p.version >= 4) {
            // KIP-394: hand out the id first, so a client that times out and retries does not leave ghosts.
            String groupId = group.groupId();
            group.addPending(newMemberId, scheduler.schedule(() -> expirePending(group, newMemberId),
                    p.sessionTimeoutMs, TimeUnit.MILLISECONDS));
            log.debug("group {}: issued member id {}", groupId, newMemberId);
            out.complete(result, joinError(p.version, newMemberId, Errors.MEMBER_ID_REQUIRED));
            return;
        }
        addMemberAndRebalance(group, p, newMemberId, result, out);
    }

    private void joinKnownMember(ClassicGroup group, JoinParams p, CompletableFuture<JoinGroupResponseData> result,
                                 Completions out) {
        if (group.isPending(p.memberId)) {
            group.removePending(p.memberId);
            addMemberAndRebalance(group, p, p.memberId, result, out);
            return;
        }
        if (group.isStaticMemberFenced(p.groupInstanceId, p.memberId)) {
            out.complete(result, joinError(p.version, p.memberId, Errors.FENCED_INSTANCE_ID));
            return;
        }
        GroupMember member = group.member(p.memberId);
        if (member == null) {
            out.complete(result, joinError(p.version, p.memberId, Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, p, result, out);
            case COMPLETING_REBALANCE -> {
                if (member.offersSame(p.protocols)) {
                    // A retried join of this very generation: answer it again rather than start over.
                    out.complete(result, joinResponse(group, member, p.version, false));
                } else {
                    updateMemberAndRebalance(group, member, p, result, out);
                }
            }
            case STABLE -> {
                if (group.isLeader(member.memberId()) || !member.offersSame(p.protocols)) {
                    // The leader re-joining means it wants a new assignment (e.g. its metadata changed).
                    updateMemberAndRebalance(group, member, p, result, out);
                } else {
                    out.complete(result, joinResponse(group, member, p.version, false));
                }
            }
            case EMPTY, DEAD -> out.complete(result, joinError(p.version, p.memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void replaceStaticMember(ClassicGroup group, JoinParams p,
                                     CompletableFuture<JoinGroupResponseData> result, Completions out) {
        String newMemberId = p.clientId + "-" + UUID.randomUUID();
        GroupMember old = group.member(group.staticMemberId(p.groupInstanceId));
        boolean unchanged = old.offersSame(p.protocols);
        GroupMember replacement = old.withMemberId(newMemberId);
        group.replaceStatic(p.groupInstanceId, replacement);
        PendingJoin oldJoin = old.pendingJoin(null);
        if (oldJoin != null) {
            out.complete(oldJoin.future(), joinError(oldJoin.version(), old.memberId(), Errors.FENCED_INSTANCE_ID));
        }
        PendingSync oldSync = old.pendingSync(null);
        if (oldSync != null) {
            out.complete(oldSync.future(), syncError(oldSync.version(), Errors.FENCED_INSTANCE_ID));
        }
        log.info("group {}: static member {} replaced {} with {}", group.groupId(), p.groupInstanceId,
                old.memberId(), newMemberId);
        if (group.is(GroupState.STABLE) && unchanged) {
            replacement.update(p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocols);
            replacement.joined();
            scheduleSession(group, replacement);
            persist(group, out);
            boolean leader = group.isLeader(newMemberId);
            // KIP-814: a re-joined static leader learns the members but keeps the current assignment.
            out.complete(result, joinResponse(group, replacement, p.version, leader && p.version >= 9));
        } else {
            updateMemberAndRebalance(group, replacement, p, result, out);
        }
    }

    private void addMemberAndRebalance(ClassicGroup group, JoinParams p, String memberId,
                                       CompletableFuture<JoinGroupResponseData> result, Completions out) {
        GroupMember member = new GroupMember(memberId, p.groupInstanceId, p.clientId, p.clientHost,
                p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocols);
        member.pendingJoin(new PendingJoin(result, p.version));
        if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId() == 0) {
            group.newMemberAdded(true);
        }
        group.add(member, p.protocolType);
        scheduleExpiry(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
        log.info("group {}: member {} joined (client {}, host {})", group.groupId(), memberId, p.clientId,
                p.clientHost);
        maybePrepareRebalance(group, "member " + memberId + " joined", out);
        tryCompleteJoin(group, out);
    }

    private void updateMemberAndRebalance(ClassicGroup group, GroupMember member, JoinParams p,
                                          CompletableFuture<JoinGroupResponseData> result, Completions out) {
        member.update(p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocols);
        PendingJoin replaced = member.pendingJoin(new PendingJoin(result, p.version));
        if (replaced != null) {
            out.complete(replaced.future(),
                    joinError(replaced.version(), member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        }
        maybePrepareRebalance(group, "member " + member.memberId() + " re-joined", out);
        tryCompleteJoin(group, out);
    }

    // ---------------------------------------------------------------- rebalance machinery

    private void maybePrepareRebalance(ClassicGroup group, String reason, Completions out) {
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.EMPTY)) {
            prepareRebalance(group, reason, out);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason, Completions out) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            // The assignment being computed is for a membership that no longer exists.
            for (GroupMember m : group.members()) {
                m.assignment(new byte[0]);
                PendingSync sync = m.pendingSync(null);
                if (sync != null) {
                    out.complete(sync.future(), syncError(sync.version(), Errors.REBALANCE_IN_PROGRESS));
                }
            }
        }
        group.syncTimer(null);
        boolean initial = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE);
        log.info("group {}: preparing rebalance at generation {} ({})", group.groupId(), group.generationId(), reason);
        long epoch = group.nextTimerEpoch();
        int rebalanceTimeoutMs = group.maxRebalanceTimeoutMs();
        if (initial && config.initialRebalanceDelayMs() > 0) {
            int delay = config.initialRebalanceDelayMs();
            group.initialDelayRunning(true);
            group.newMemberAdded(false);
            scheduleInitialDelay(group, epoch, delay, Math.max(rebalanceTimeoutMs - delay, 0));
        } else {
            group.initialDelayRunning(false);
            group.joinTimer(scheduler.schedule(() -> onJoinDeadline(group, epoch), rebalanceTimeoutMs,
                    TimeUnit.MILLISECONDS));
            // Everyone may already be in (e.g. the last member just left): no reason to wait for the timer.
            tryCompleteJoin(group, out);
        }
    }

    private void scheduleInitialDelay(ClassicGroup group, long epoch, int delayMs, int remainingMs) {
        group.joinTimer(scheduler.schedule(() -> onInitialDelay(group, epoch, remainingMs), delayMs,
                TimeUnit.MILLISECONDS));
    }

    private void onInitialDelay(ClassicGroup group, long epoch, int remainingMs) {
        registry.locked(group, out -> {
            if (group.timerEpoch() != epoch || !group.is(GroupState.PREPARING_REBALANCE)) {
                return null;
            }
            if (group.newMemberAdded() && remainingMs > 0) {
                group.newMemberAdded(false);
                int next = Math.min(config.initialRebalanceDelayMs(), remainingMs);
                scheduleInitialDelay(group, epoch, next, Math.max(remainingMs - next, 0));
            } else {
                group.initialDelayRunning(false);
                completeJoin(group, out);
            }
            return null;
        });
    }

    private void onJoinDeadline(ClassicGroup group, long epoch) {
        registry.locked(group, out -> {
            if (group.timerEpoch() == epoch && group.is(GroupState.PREPARING_REBALANCE)) {
                completeJoin(group, out);
            }
            return null;
        });
    }

    private void tryCompleteJoin(ClassicGroup group, Completions out) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialDelayRunning() && group.allMembersJoined()) {
            completeJoin(group, out);
        }
    }

    /** Ends the join phase: drops members that did not re-join, starts the next generation, answers the joins. */
    private void completeJoin(ClassicGroup group, Completions out) {
        group.joinTimer(null);
        group.nextTimerEpoch();
        for (GroupMember m : group.members()) {
            if (m.pendingJoin() == null) {
                log.info("group {}: removing member {} which did not re-join in time", group.groupId(), m.memberId());
                removeMember(group, m, out);
            }
        }
        group.initNextGeneration();
        log.info("group {}: generation {} with {} members, protocol {}, state {}", group.groupId(),
                group.generationId(), group.size(), group.protocolName(), group.state().kafkaName());
        for (GroupMember m : group.members()) {
            PendingJoin join = m.pendingJoin(null);
            out.complete(join.future(), joinResponse(group, m, join.version(), false));
            m.joined();
            scheduleSession(group, m);
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            scheduleSyncDeadline(group);
        } else {
            persist(group, out);
        }
    }

    private void scheduleSyncDeadline(ClassicGroup group) {
        int generation = group.generationId();
        group.syncTimer(scheduler.schedule(() -> onSyncDeadline(group, generation), group.maxRebalanceTimeoutMs(),
                TimeUnit.MILLISECONDS));
    }

    private void onSyncDeadline(ClassicGroup group, int generation) {
        registry.locked(group, out -> {
            boolean current = group.generationId() == generation
                    && (group.is(GroupState.COMPLETING_REBALANCE) || group.is(GroupState.STABLE));
            if (current && !group.pendingSyncMembers().isEmpty()) {
                for (String memberId : List.copyOf(group.pendingSyncMembers())) {
                    log.info("group {}: removing member {} which did not sync in time", group.groupId(), memberId);
                    removeMember(group, group.member(memberId), out);
                }
                maybePrepareRebalance(group, "members did not sync in time", out);
            }
            return null;
        });
    }

    /**
     * Removes a member, answering its parked requests with UNKNOWN_MEMBER_ID so a live client re-joins.
     * The caller decides whether a rebalance follows ({@link #afterRemoval}).
     */
    private void removeMember(ClassicGroup group, GroupMember member, Completions out) {
        PendingJoin join = member.pendingJoin(null);
        if (join != null) {
            out.complete(join.future(), joinError(join.version(), member.memberId(), Errors.UNKNOWN_MEMBER_ID));
        }
        PendingSync sync = member.pendingSync(null);
        if (sync != null) {
            out.complete(sync.future(), syncError(sync.version(), Errors.UNKNOWN_MEMBER_ID));
        }
        group.remove(member.memberId());
    }

    private void afterRemoval(ClassicGroup group, String reason, Completions out) {
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason, out);
            case PREPARING_REBALANCE -> tryCompleteJoin(group, out);
            case EMPTY, DEAD -> { }
        }
    }

    /**
     * Stores the group's membership (it is Stable or Empty) once the lock is released, without waiting for it:
     * if this coordinator fails before the store has it, its successor holds the previous generation, whose
     * members are refused with ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID and re-join — a rebalance, nothing lost.
     */
    private void persist(ClassicGroup group, Completions out) {
        if (closed) {
            return; // a successor coordinates now; its epoch would win over this write anyway
        }
        GroupImage image = group.image(coordinatorEpoch);
        out.run(() -> store.storeMembership(image).whenComplete((ok, failure) -> {
            if (failure != null) {
                log.info("group {}: storing generation {} failed: {}", image.groupId(), image.generationId(),
                        failure.toString());
            }
        }));
    }

    // ---------------------------------------------------------------- timers

    private void scheduleSession(ClassicGroup group, GroupMember member) {
        scheduleExpiry(group, member, member.sessionTimeoutMs());
    }

    private void scheduleExpiry(ClassicGroup group, GroupMember member, int delayMs) {
        if (closed) {
            return;
        }
        member.expiry(scheduler.schedule(() -> onMemberExpiry(group, member), delayMs, TimeUnit.MILLISECONDS));
    }

    private void onMemberExpiry(ClassicGroup group, GroupMember member) {
        registry.locked(group, out -> {
            if (group.member(member.memberId()) != member) {
                return null;
            }
            if (member.pendingJoin() != null && !member.isNew()) {
                // An existing member waiting for others to re-join is alive; the rebalance deadline bounds it.
                scheduleSession(group, member);
                return null;
            }
            log.info("group {}: member {} session expired", group.groupId(), member.memberId());
            removeMember(group, member, out);
            afterRemoval(group, "member " + member.memberId() + " expired", out);
            return null;
        });
    }

    private void expirePending(ClassicGroup group, String memberId) {
        registry.locked(group, out -> {
            if (group.removePending(memberId)) {
                log.debug("group {}: issued member id {} was never used", group.groupId(), memberId);
                tryCompleteJoin(group, out);
            }
            return null;
        });
    }

    /** Called with the group's lock held when a member proved it is alive (heartbeat, sync, commit). */
    private void keepAlive(ClassicGroup group, GroupMember member) {
        scheduleSession(group, member);
    }

    // ---------------------------------------------------------------- SyncGroup

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short version) {
        if (closed) {
            return CompletableFuture.completedFuture(syncError(version, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(syncError(version, Errors.INVALID_GROUP_ID));
        }
        ClassicGroup group = registry.find(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(syncError(version, Errors.UNKNOWN_MEMBER_ID));
        }
        String memberId = request.memberId();
        String instanceId = version >= 3 ? request.groupInstanceId() : null;
        CompletableFuture<SyncGroupResponseData> result = new CompletableFuture<>();
        registry.locked(group, out -> {
            Errors error = validateMember(group, memberId, instanceId, request.generationId());
            if (error == Errors.NONE && version >= 5 && !protocolMatches(group, request)) {
                error = Errors.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (error == Errors.NONE) {
                error = switch (group.state()) {
                    case EMPTY -> Errors.UNKNOWN_MEMBER_ID;
                    case PREPARING_REBALANCE -> Errors.REBALANCE_IN_PROGRESS;
                    default -> Errors.NONE;
                };
            }
            if (error != Errors.NONE) {
                out.complete(result, syncError(version, error));
                return null;
            }
            GroupMember member = group.member(memberId);
            group.pendingSyncMembers().remove(memberId);
            keepAlive(group, member);
            if (group.is(GroupState.STABLE)) {
                out.complete(result, syncResponse(group, member.assignment(), version));
                return null;
            }
            PendingSync replaced = member.pendingSync(new PendingSync(result, version));
            if (replaced != null) {
                out.complete(replaced.future(), syncError(replaced.version(), Errors.REBALANCE_IN_PROGRESS));
            }
            if (group.isLeader(memberId)) {
                Map<String, byte[]> assignments = new HashMap<>();
                if (request.assignments() != null) {
                    for (SyncGroupRequestAssignment a : request.assignments()) {
                        assignments.put(a.memberId(), a.assignment());
                    }
                }
                for (GroupMember m : group.members()) {
                    m.assignment(assignments.get(m.memberId()));
                }
                group.transitionTo(GroupState.STABLE);
                log.info("group {}: generation {} is stable", group.groupId(), group.generationId());
                persist(group, out);
                for (GroupMember m : group.members()) {
                    PendingSync sync = m.pendingSync(null);
                    if (sync != null) {
                        out.complete(sync.future(), syncResponse(group, m.assignment(), sync.version()));
                    }
                }
            }
            return null;
        });
        return result;
    }

    private static boolean protocolMatches(ClassicGroup group, SyncGroupRequestData request) {
        boolean typeOk = request.protocolType() == null || request.protocolType().equals(group.protocolType());
        boolean nameOk = request.protocolName() == null || request.protocolName().equals(group.protocolName());
        return typeOk && nameOk;
    }

    /** Kafka's order of member checks, shared by SyncGroup and Heartbeat. */
    private static Errors validateMember(ClassicGroup group, String memberId, String instanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (group.isStaticMemberFenced(instanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (memberId == null || !group.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        return Errors.NONE;
    }

    // ---------------------------------------------------------------- Heartbeat

    public HeartbeatResponseData heartbeat(HeartbeatRequestData request, short version) {
        if (closed) {
            return new HeartbeatResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return new HeartbeatResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup group = registry.find(groupId);
        if (group == null) {
            return new HeartbeatResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        String instanceId = version >= 3 ? request.groupInstanceId() : null;
        Errors error = registry.locked(group, out -> {
            Errors e = validateMember(group, request.memberId(), instanceId, request.generationId());
            if (e != Errors.NONE) {
                return e;
            }
            return switch (group.state()) {
                case EMPTY, DEAD -> Errors.UNKNOWN_MEMBER_ID;
                case COMPLETING_REBALANCE, STABLE -> {
                    keepAlive(group, group.member(request.memberId()));
                    yield Errors.NONE;
                }
                case PREPARING_REBALANCE -> {
                    keepAlive(group, group.member(request.memberId()));
                    yield Errors.REBALANCE_IN_PROGRESS;
                }
            };
        });
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    // ---------------------------------------------------------------- LeaveGroup

    public LeaveGroupResponseData leaveGroup(LeaveGroupRequestData request, short version) {
        List<MemberIdentity> leaving = version >= 3
                ? (request.members() == null ? List.of() : request.members())
                : List.of(new MemberIdentity().setMemberId(request.memberId()));
        Errors topError = Errors.NONE;
        List<MemberResponse> responses = new ArrayList<>();
        String groupId = request.groupId();
        if (closed) {
            topError = Errors.COORDINATOR_NOT_AVAILABLE;
        } else if (groupId == null || groupId.isEmpty()) {
            topError = Errors.INVALID_GROUP_ID;
        } else {
            ClassicGroup group = registry.find(groupId);
            if (group == null) {
                leaving.forEach(m -> responses.add(memberResponse(m, Errors.UNKNOWN_MEMBER_ID)));
            } else {
                topError = registry.locked(group, out -> {
                    if (group.is(GroupState.DEAD)) {
                        return Errors.COORDINATOR_NOT_AVAILABLE;
                    }
                    boolean removedAny = false;
                    for (MemberIdentity identity : leaving) {
                        Errors e = leaveOne(group, identity, out);
                        removedAny |= e == Errors.NONE;
                        responses.add(memberResponse(identity, e));
                    }
                    if (removedAny) {
                        afterRemoval(group, "members left", out);
                    }
                    return Errors.NONE;
                });
            }
        }
        LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (version >= 3) {
            return response.setErrorCode(topError.code()).setMembers(topError == Errors.NONE ? responses : List.of());
        }
        Errors single = topError != Errors.NONE ? topError
                : responses.isEmpty() ? Errors.NONE : Errors.forCode(responses.get(0).errorCode());
        return response.setErrorCode(single.code());
    }

    private Errors leaveOne(ClassicGroup group, MemberIdentity identity, Completions out) {
        String memberId = identity.memberId() == null ? "" : identity.memberId();
        String instanceId = identity.groupInstanceId();
        if (instanceId != null) {
            String current = group.staticMemberId(instanceId);
            if (current == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !memberId.equals(current)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            memberId = current;
        } else if (group.removePending(memberId)) {
            return Errors.NONE;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("group {}: member {} left", group.groupId(), memberId);
        removeMember(group, member, out);
        return Errors.NONE;
    }

    private static MemberResponse memberResponse(MemberIdentity identity, Errors error) {
        return new MemberResponse().setMemberId(identity.memberId() == null ? "" : identity.memberId())
                .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(error.code());
    }

    // ---------------------------------------------------------------- offsets

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData request, short version) {
        return offsetRequests.commit(request, version, closed);
    }

    /** OffsetDelete (see {@link GroupOffsets#delete}); completes once the store has forgotten the offsets. */
    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return offsetRequests.delete(request, closed);
    }

    /** v0–7 single-group shape (groupId + topics) and v8+ multi-group shape (groups[]); topics null = all partitions. */
    public OffsetFetchResponseData fetchOffsets(OffsetFetchRequestData request, short version) {
        return offsetRequests.fetch(request, version, closed);
    }

    // ---------------------------------------------------------------- DescribeGroups / ListGroups / DeleteGroups

    public DescribeGroupsResponseData describeGroups(DescribeGroupsRequestData request, short version) {
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        List<String> ids = request.groups() == null ? List.of() : request.groups();
        for (String groupId : ids) {
            DescribedGroup described = new DescribedGroup().setGroupId(groupId).setProtocolType("")
                    .setProtocolData("").setGroupState(GroupState.DEAD.kafkaName());
            if (version >= 3) {
                described.setAuthorizedOperations(request.includeAuthorizedOperations()
                        ? GROUP_AUTHORIZED_OPERATIONS : Integer.MIN_VALUE);
            }
            if (closed) {
                described.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
            } else if (groupId == null) {
                described.setErrorCode(Errors.INVALID_GROUP_ID.code());
            } else {
                ClassicGroup group = registry.find(groupId);
                if (group != null) {
                    registry.locked(group, out -> {
                        describe(group, described, version);
                        return null;
                    });
                }
            }
            response.groups().add(described);
        }
        return response;
    }

    private static void describe(ClassicGroup group, DescribedGroup described, short version) {
        described.setGroupState(group.state().kafkaName())
                .setProtocolType(group.protocolType() == null ? "" : group.protocolType());
        boolean stable = group.is(GroupState.STABLE);
        // Like Kafka, member metadata and assignments are only meaningful once the group is stable.
        described.setProtocolData(stable ? group.protocolName() : "");
        for (GroupMember m : group.members()) {
            DescribedGroupMember dm = new DescribedGroupMember().setMemberId(m.memberId())
                    .setClientId(m.clientId()).setClientHost(m.clientHost())
                    .setMemberMetadata(stable ? m.metadataFor(group.protocolName()) : new byte[0])
                    .setMemberAssignment(stable ? m.assignment() : new byte[0]);
            if (version >= 4) {
                dm.setGroupInstanceId(m.groupInstanceId());
            }
            described.members().add(dm);
        }
    }

    public ListGroupsResponseData listGroups(ListGroupsRequestData request, short version) {
        ListGroupsResponseData response = new ListGroupsResponseData();
        if (closed) {
            return response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
        }
        Set<GroupState> states = EnumSet.noneOf(GroupState.class);
        boolean filterStates = version >= 4 && request.statesFilter() != null && !request.statesFilter().isEmpty();
        if (filterStates) {
            request.statesFilter().forEach(s -> GroupState.fromKafkaName(s).ifPresent(states::add));
        }
        boolean filterTypes = version >= 5 && request.typesFilter() != null && !request.typesFilter().isEmpty();
        Set<String> types = filterTypes
                ? request.typesFilter().stream().map(t -> t.toLowerCase(Locale.ROOT)).collect(Collectors.toSet())
                : Set.of();
        if (filterTypes && !types.contains(CLASSIC_GROUP_TYPE)) {
            return response;
        }
        for (ClassicGroup group : registry.all()) {
            ListedGroup listed = registry.locked(group, out -> {
                if (group.is(GroupState.DEAD) || (filterStates && !states.contains(group.state()))) {
                    return null;
                }
                ListedGroup lg = new ListedGroup().setGroupId(group.groupId())
                        .setProtocolType(group.protocolType() == null ? "" : group.protocolType());
                if (version >= 4) {
                    lg.setGroupState(group.state().kafkaName());
                }
                if (version >= 5) {
                    lg.setGroupType(CLASSIC_GROUP_TYPE);
                }
                return lg;
            });
            if (listed != null) {
                response.groups().add(listed);
            }
        }
        return response;
    }

    public CompletableFuture<DeleteGroupsResponseData> deleteGroups(DeleteGroupsRequestData request, short version) {
        List<String> ids = request.groupsNames() == null ? List.of() : request.groupsNames();
        List<CompletableFuture<DeletableGroupResult>> results = new ArrayList<>();
        for (String groupId : ids) {
            results.add(deleteGroup(groupId));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeletableGroupResultCollection collection = new DeletableGroupResultCollection();
            for (CompletableFuture<DeletableGroupResult> r : results) {
                DeletableGroupResult result = r.join();
                if (collection.find(result.groupId()) == null) {
                    collection.add(result);
                }
            }
            return new DeleteGroupsResponseData().setResults(collection);
        });
    }

    private CompletableFuture<DeletableGroupResult> deleteGroup(String groupId) {
        if (closed) {
            return CompletableFuture.completedFuture(deleteResult(groupId, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        if (groupId == null) {
            return CompletableFuture.completedFuture(deleteResult("", Errors.INVALID_GROUP_ID));
        }
        ClassicGroup group = registry.find(groupId);
        if (group == null) {
            return CompletableFuture.completedFuture(deleteResult(groupId, Errors.GROUP_ID_NOT_FOUND));
        }
        Errors error = registry.locked(group, out -> switch (group.state()) {
            case DEAD -> Errors.GROUP_ID_NOT_FOUND;
            case EMPTY -> {
                group.cancelTimers();
                group.transitionTo(GroupState.DEAD);
                yield Errors.NONE;
            }
            default -> Errors.NON_EMPTY_GROUP;
        });
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(deleteResult(groupId, error));
        }
        log.info("group {}: deleting", groupId);
        // The Dead group stays registered until the store forgot its offsets, so that a lookup in between
        // cannot resurrect it from offsets about to vanish.
        return store.deleteGroup(groupId).handle((ok, failure) -> {
            registry.remove(group);
            if (failure != null) {
                log.warn("group {}: deleting offsets failed", groupId, failure);
                return deleteResult(groupId, Errors.COORDINATOR_NOT_AVAILABLE);
            }
            return deleteResult(groupId, Errors.NONE);
        });
    }

    private static DeletableGroupResult deleteResult(String groupId, Errors error) {
        return new DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code());
    }

    // ---------------------------------------------------------------- offsets retention

    /**
     * One offsets-retention run over every group; the deletions it issues are not awaited. Called on a timer thread
     * by {@link ActiveCoordinator}, which runs it only on the coordinator of the current metadata term — a deposed
     * coordinator's view of which groups are Empty may be stale.
     */
    public void expireOffsets() {
        long now = time.milliseconds();
        for (ClassicGroup group : registry.all()) {
            expireOffsets(group, now);
        }
    }

    private void expireOffsets(ClassicGroup group, long now) {
        String groupId = group.groupId();
        record Decision(Map<TopicPartition, CommittedOffset> expired, boolean gone) { }
        Decision decision = registry.locked(group, out -> {
            if (closed || !group.is(GroupState.EMPTY)) {
                return null;
            }
            Map<TopicPartition, CommittedOffset> committed = store.committed(groupId);
            Map<TopicPartition, CommittedOffset> expired = retention.expired(group, committed, now);
            boolean gone = expired.size() == committed.size();
            if (gone) {
                // Like DeleteGroups: Dead until the store has forgotten it, so no lookup revives it meanwhile.
                group.cancelTimers();
                group.transitionTo(GroupState.DEAD);
            }
            return expired.isEmpty() && !gone ? null : new Decision(expired, gone);
        });
        if (decision == null) {
            return;
        }
        store.deleteOffsets(groupId, decision.expired()).whenComplete((ok, failure) -> {
            if (decision.gone()) {
                registry.remove(group);
            }
            if (failure != null) {
                log.warn("group {}: expiring {} committed offsets failed", groupId, decision.expired().size(), failure);
            } else if (!decision.expired().isEmpty()) {
                log.info("group {}: {} committed offsets expired{}", groupId, decision.expired().size(),
                        decision.gone() ? "; the group is gone" : "");
            }
        });
    }

    // ---------------------------------------------------------------- close

    /** Answers every parked JoinGroup/SyncGroup with COORDINATOR_NOT_AVAILABLE (clients retry) and cancels timers. */
    @Override
    public void close() {
        closed = true;
        for (ClassicGroup group : registry.all()) {
            registry.locked(group, out -> {
                group.cancelTimers();
                for (GroupMember m : group.members()) {
                    PendingJoin join = m.pendingJoin(null);
                    if (join != null) {
                        out.complete(join.future(),
                                joinError(join.version(), m.memberId(), Errors.COORDINATOR_NOT_AVAILABLE));
                    }
                    PendingSync sync = m.pendingSync(null);
                    if (sync != null) {
                        out.complete(sync.future(), syncError(sync.version(), Errors.COORDINATOR_NOT_AVAILABLE));
                    }
                }
                return null;
            });
        }
    }

    // ---------------------------------------------------------------- response shapes

    private static JoinGroupResponseData joinError(short version, String memberId, Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
                .setProtocolName(version >= 7 ? null : "").setLeader("").setMemberId(memberId);
    }

    private static JoinGroupResponseData joinResponse(ClassicGroup group, GroupMember member, short version,
                                                      boolean skipAssignment) {
        JoinGroupResponseData response = new JoinGroupResponseData().setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId()).setProtocolName(group.protocolName())
                .setLeader(group.leaderId()).setMemberId(member.memberId());
        if (version >= 7) {
            response.setProtocolType(group.protocolType());
        }
        if (version >= 9) {
            response.setSkipAssignment(skipAssignment);
        }
        boolean leader = group.isLeader(member.memberId());
        if (leader && (group.is(GroupState.COMPLETING_REBALANCE) || skipAssignment)) {
            List<JoinGroupResponseMember> list = new ArrayList<>();
            for (GroupMember m : group.members()) {
                JoinGroupResponseMember rm = new JoinGroupResponseMember().setMemberId(m.memberId())
                        .setMetadata(m.metadataFor(group.protocolName()));
                if (version >= 5) {
                    rm.setGroupInstanceId(m.groupInstanceId());
                }
                list.add(rm);
            }
            response.setMembers(list);
        }
        return response;
    }

    private static SyncGroupResponseData syncError(short version, Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, byte[] assignment, short version) {
        SyncGroupResponseData response = new SyncGroupResponseData().setErrorCode(Errors.NONE.code())
                .setAssignment(assignment);
        if (version >= 5) {
            response.setProtocolType(group.protocolType()).setProtocolName(group.protocolName());
        }
        return response;
    }
}
