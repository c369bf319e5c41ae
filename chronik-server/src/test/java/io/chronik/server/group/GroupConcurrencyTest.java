package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real threads and a real scheduler: members racing through join/sync/heartbeat like real clients. */
class GroupConcurrencyTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService clients = Executors.newFixedThreadPool(3);
    private final GroupCoordinator coordinator = new GroupCoordinator(new InMemoryGroupStore(), 0, scheduler,
            Time.SYSTEM, new GroupConfig(50, 1000, 60_000, Integer.MAX_VALUE));

    @AfterEach
    void stop() {
        coordinator.close();
        clients.shutdownNow();
        scheduler.shutdownNow();
    }

    private DescribedGroup describe() {
        return coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of(GROUP)), (short) 5)
                .groups().get(0);
    }

    /** A client's rebalance loop; returns "memberId@generation=assignment" once the group is stable with all. */
    private String runMember(int expectedMembers) throws Exception {
        String memberId = "";
        for (int attempt = 0; attempt < 50; attempt++) {
            JoinGroupResponseData joined = coordinator.joinGroup(
                    GroupHarness.joinRequest(GROUP, memberId, "range"), (short) 9, "client", "host")
                    .get(10, TimeUnit.SECONDS);
            Errors joinError = Errors.forCode(joined.errorCode());
            memberId = joined.memberId();
            if (joinError != Errors.NONE) {
                continue;
            }
            List<SyncGroupRequestAssignment> assignments = new ArrayList<>();
            for (JoinGroupResponseMember m : joined.members()) {
                assignments.add(new SyncGroupRequestAssignment().setMemberId(m.memberId())
                        .setAssignment(GroupHarness.bytes("for-" + m.memberId())));
            }
            SyncGroupResponseData synced = coordinator.syncGroup(new SyncGroupRequestData().setGroupId(GROUP)
                    .setMemberId(memberId).setGenerationId(joined.generationId()).setAssignments(assignments),
                    (short) 5).get(10, TimeUnit.SECONDS);
            if (Errors.forCode(synced.errorCode()) != Errors.NONE) {
                continue;
            }
            while (true) {
                Errors beat = Errors.forCode(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP)
                        .setMemberId(memberId).setGenerationId(joined.generationId()), (short) 4).errorCode());
                DescribedGroup d = describe();
                if (beat != Errors.NONE) {
                    break;
                }
                if (d.groupState().equals("Stable") && d.members().size() == expectedMembers) {
                    return memberId + "@" + joined.generationId() + "=" + new String(synced.assignment());
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("member never settled");
    }

    @Test
    void membersRacingThroughRebalancesSettleOnOneGeneration() throws Exception {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            results.add(clients.submit(() -> runMember(3)));
        }
        List<String> settled = new ArrayList<>();
        for (Future<String> f : results) {
            settled.add(f.get(30, TimeUnit.SECONDS));
        }
        int generation = Integer.parseInt(settled.get(0).split("[@=]")[1]);
        assertThat(settled).allSatisfy(s -> {
            String[] parts = s.split("[@=]");
            assertThat(Integer.parseInt(parts[1])).isEqualTo(generation);
            assertThat(parts[2]).isEqualTo("for-" + parts[0]);
        });
        assertThat(describe().members()).hasSize(3);
        assertThat(describe().groupState()).isEqualTo("Stable");
    }
}
