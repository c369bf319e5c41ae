package io.chronik.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.testing.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group that never elected a leader before its members stopped — a topic created moments before a whole-cluster
 * kill — has no configuration in any member's log. Ratis recovers such a division without peers and it waits forever
 * for a leader; once that holds for a majority, no leader can be elected. {@link RaftNode#ensureGroup} re-adds it with
 * its peers.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RecoveredGroupTest {

    private static final String HOST = "127.0.0.1";

    @TempDir
    Path dir;
    private final List<RaftNode> running = new ArrayList<>();

    @AfterEach
    void stopAll() {
        running.forEach(RaftNode::close);
    }

    private RaftNode start(int nodeId, int port) throws Exception {
        RaftNode node = build(nodeId, port);
        node.start();
        return node;
    }

    private RaftNode build(int nodeId, int port) throws Exception {
        RaftNode node = new RaftNode(nodeId, RaftSettings.defaults(dir.resolve("n" + nodeId), HOST, port),
                RaftGroup.emptyGroup(), groupId -> new BaseStateMachine());
        running.add(node);
        return node;
    }

    private static boolean leaderReady(RaftNode node, RaftGroup group) {
        return node.division(group.getGroupId()).map(d -> d.getInfo().isLeaderReady()).orElse(false);
    }

    private static boolean leads(RaftNode node, RaftGroup group) {
        return node.division(group.getGroupId()).map(d -> d.getInfo().isLeader()).orElse(false);
    }

    @Test
    void aRecoveredGroupThatKnowsItsConfigurationIsLeftAsItIsEvenWhenAskedForBeforeTheServerStarted() throws Exception {
        int port = FreePorts.pick(1)[0];
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), RaftPeers.peer(1, HOST, port, 0));
        RaftNode first = start(1, port);
        first.ensureGroup(group).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // Ready: its first entry (the configuration) is committed and applied.
        while (!leaderReady(first, group) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(leaderReady(first, group)).as("a group of one elects itself and commits its configuration").isTrue();
        first.close();
        running.clear();

        // As at a node's start: the metadata replay asks for partition groups while Ratis is still starting them.
        RaftNode again = build(1, port);
        CompletableFuture<Void> joined = again.ensureGroup(group);
        assertThat(joined).as("answered only once the server has started").isNotDone();
        again.start();
        joined.get(30, TimeUnit.SECONDS);

        RaftServer.Division division = again.division(group.getGroupId()).orElseThrow();
        assertThat(division.getInfo().getLifeCycleState()).isEqualTo(LifeCycle.State.RUNNING);
        assertThat(division.getRaftLog().getLastEntryTermIndex()).as("the recovered log").isNotNull();
    }

    @Test
    void aGroupWhoseMajorityRecoveredWithoutAConfigurationElectsALeaderOnceJoinedAgain() throws Exception {
        // Five voters, so that two members cannot elect a leader (and write a configuration) by themselves.
        int[] ports = FreePorts.pick(5);
        List<RaftPeer> peers = new ArrayList<>();
        for (int id = 1; id <= 5; id++) {
            peers.add(RaftPeers.peer(id, HOST, ports[id - 1], 0));
        }
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);

        RaftNode n1 = start(1, ports[0]);
        RaftNode n2 = start(2, ports[1]);
        n1.ensureGroup(group).get(30, TimeUnit.SECONDS);
        n2.ensureGroup(group).get(30, TimeUnit.SECONDS);
        running.forEach(RaftNode::close);
        running.clear();

        List<RaftNode> members = List.of(start(1, ports[0]), start(2, ports[1]), start(3, ports[2]));
        assertThat(members.get(0).division(group.getGroupId()).orElseThrow().getRaftConf().getCurrentPeers())
                .as("the peers n1 recovered the group with").isEmpty();
        for (RaftNode member : members) {
            member.ensureGroup(group).get(30, TimeUnit.SECONDS);
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        int leaders = 0;
        while (leaders == 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            leaders = (int) members.stream().filter(m -> leads(m, group)).count();
        }
        assertThat(leaders).as("leaders of the group among n1-n3").isEqualTo(1);
    }
}
