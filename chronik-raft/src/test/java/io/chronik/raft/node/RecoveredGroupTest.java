package io.chronik.raft.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.testing.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
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
        RaftNode node = new RaftNode(nodeId, RaftSettings.defaults(dir.resolve("n" + nodeId), HOST, port),
                RaftGroup.emptyGroup(), groupId -> new BaseStateMachine());
        node.start();
        running.add(node);
        return node;
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
            leaders = (int) members.stream().map(m -> m.division(group.getGroupId()))
                    .filter(d -> d.map(RaftServer.Division::getInfo).map(i -> i.isLeader()).orElse(false)).count();
        }
        assertThat(leaders).as("leaders of the group among n1-n3").isEqualTo(1);
    }
}
