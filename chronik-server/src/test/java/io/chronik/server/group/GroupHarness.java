package io.chronik.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;

/** A coordinator on a manual clock and an in-memory store, with shorthand for the requests tests send. */
final class GroupHarness {

    static final String GROUP = "g1";
    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 20_000;

    final ManualClock clock = new ManualClock();
    final InMemoryGroupStore store;
    final GroupCoordinator coordinator;

    GroupHarness() {
        this(new GroupConfig(0, 1000, 60_000, Integer.MAX_VALUE), new InMemoryGroupStore());
    }

    GroupHarness(GroupConfig config, InMemoryGroupStore store) {
        this(config, store, 0);
    }

    /** A coordinator of the given metadata leadership term over an existing store (as after a failover). */
    GroupHarness(GroupConfig config, InMemoryGroupStore store, long coordinatorEpoch) {
        this.store = store;
        this.coordinator = new GroupCoordinator(store, coordinatorEpoch, clock, clock, config);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JoinGroupRequestData joinRequest(String groupId, String memberId, String... protocols) {
        JoinGroupRequestProtocolCollection collection = new JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            collection.add(new JoinGroupRequestProtocol().setName(p).setMetadata(bytes("sub-" + p)));
        }
        return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId)
                .setSessionTimeoutMs(SESSION_MS).setRebalanceTimeoutMs(REBALANCE_MS)
                .setProtocolType("consumer").setProtocols(collection);
    }

    CompletableFuture<JoinGroupResponseData> join(String memberId, short version, String... protocols) {
        return coordinator.joinGroup(joinRequest(GROUP, memberId, protocols.length == 0
                ? new String[] {"range"} : protocols), version, "client", "/10.0.0.1");
    }

    /** A new member's first join at v4+: collects the id from MEMBER_ID_REQUIRED and joins again with it. */
    CompletableFuture<JoinGroupResponseData> joinNew(short version, String... protocols) {
        JoinGroupResponseData first = join("", version, protocols).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        return join(first.memberId(), version, protocols);
    }

    CompletableFuture<SyncGroupResponseData> sync(String memberId, int generation, short version,
                                                  Map<String, String> assignments) {
        List<SyncGroupRequestAssignment> list = new ArrayList<>();
        assignments.forEach((m, a) -> list.add(new SyncGroupRequestAssignment().setMemberId(m).setAssignment(bytes(a))));
        return coordinator.syncGroup(new SyncGroupRequestData().setGroupId(GROUP).setMemberId(memberId)
                .setGenerationId(generation).setAssignments(list), version);
    }

    Errors heartbeat(String memberId, int generation) {
        return Errors.forCode(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP)
                .setMemberId(memberId).setGenerationId(generation), (short) 4).errorCode());
    }

    /** Two members in a Stable group at generation 2 (member a leads); returns [a, b]. */
    String[] stableGroupOfTwo() {
        JoinGroupResponseData a1 = joinNew((short) 9).join();
        String a = a1.memberId();
        CompletableFuture<JoinGroupResponseData> b = joinNew((short) 9);
        CompletableFuture<JoinGroupResponseData> a2 = join(a, (short) 9);
        JoinGroupResponseData ra = a2.join();
        JoinGroupResponseData rb = b.join();
        assertThat(ra.generationId()).isEqualTo(2);
        CompletableFuture<SyncGroupResponseData> sb = sync(rb.memberId(), 2, (short) 5, Map.of());
        sync(a, 2, (short) 5, Map.of(a, "A", rb.memberId(), "B")).join();
        assertThat(sb.join().assignment()).isEqualTo(bytes("B"));
        return new String[] {a, rb.memberId()};
    }

    static Errors error(short code) {
        return Errors.forCode(code);
    }

    /** The response must be writable at the version it answers (fields of newer versions left at defaults). */
    static void assertEncodes(Message message, short version) {
        assertThatCode(() -> MessageUtil.toByteBuffer(message, version)).doesNotThrowAnyException();
    }
}
