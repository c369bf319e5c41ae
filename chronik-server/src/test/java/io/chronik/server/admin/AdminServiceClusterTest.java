package io.chronik.server.admin;

import static io.chronik.server.admin.AdminServiceSingleNodeTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.protocol.admin.v1.AddNodeRequest;
import io.chronik.protocol.admin.v1.BalanceLeadersRequest;
import io.chronik.protocol.admin.v1.BalanceLeadersResponse;
import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.CreateTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicRequest;
import io.chronik.protocol.admin.v1.DescribeTopicRequest;
import io.chronik.protocol.admin.v1.GetStatusRequest;
import io.chronik.protocol.admin.v1.LeaderMove;
import io.chronik.protocol.admin.v1.ListTopicsRequest;
import io.chronik.protocol.admin.v1.MetadataRole;
import io.chronik.protocol.admin.v1.NodeStatus;
import io.chronik.protocol.admin.v1.PartitionStatus;
import io.chronik.protocol.admin.v1.RemoveNodeRequest;
import io.chronik.protocol.admin.v1.TopicDescription;
import io.chronik.protocol.admin.v1.TopicSummary;
import io.chronik.protocol.admin.v1.TransferLeaderRequest;
import io.chronik.protocol.admin.v1.TransferLeaderResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every admin call against a three-node Raft cluster in this JVM (replication factor 3 by default): status from any
 * node, a topic created through a node that does not lead the metadata group, a leader transfer that a Kafka
 * {@code Admin} client sees, balancing back to the preferred replicas, and a stopped node shown as down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminServiceClusterTest {

    @TempDir
    static Path dir;
    static AdminTestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = AdminTestCluster.start(dir, 3, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyNodeReportsTheSameClusterWithOneMetadataLeader() {
        ClusterStatus first = eventually(() -> cluster.stub(1).getStatus(GetStatusRequest.getDefaultInstance()),
                s -> s.getMetadataLeader() > 0 && s.getNodesList().stream().allMatch(NodeStatus::getUp));
        for (int id : cluster.nodeIds()) {
            ClusterStatus status = eventually(() -> cluster.stub(id).getStatus(GetStatusRequest.getDefaultInstance()),
                    s -> s.getMetadataLeader() == first.getMetadataLeader());
            assertThat(status.getClusterId()).isEqualTo(first.getClusterId());
            assertThat(status.getAnsweredBy()).isEqualTo(id);
            assertThat(status.getNodesList()).extracting(NodeStatus::getId).containsExactly(1, 2, 3);
            assertThat(status.getNodesList()).allSatisfy(n -> assertThat(n.getUp()).isTrue());
            assertThat(status.getNodesList()).filteredOn(n -> n.getMetadataRole() == MetadataRole.METADATA_ROLE_LEADER)
                    .extracting(NodeStatus::getId).containsExactly(first.getMetadataLeader());
            assertThat(status.getNodesList()).extracting(NodeStatus::getAdminPort)
                    .containsExactly(cluster.node(1).adminPort(), cluster.node(2).adminPort(),
                            cluster.node(3).adminPort());
        }
    }

    @Test
    @Order(2)
    void topicCreatedThroughANonLeaderIsVisibleEverywhereWithLeadersAndCaughtUpReplicas() {
        int metadataLeader = cluster.stub(1).getStatus(GetStatusRequest.getDefaultInstance()).getMetadataLeader();
        int follower = cluster.nodeIds().stream().filter(id -> id != metadataLeader).findFirst().orElseThrow();

        TopicDescription created = cluster.stub(follower).createTopic(CreateTopicRequest.newBuilder()
                .setName("moves").setPartitions(3).putConfigs("retention.ms", "3600000").build());
        assertThat(created.getPartitionsList()).hasSize(3)
                .allSatisfy(p -> assertThat(p.getReplicasList()).containsExactlyInAnyOrder(1, 2, 3));

        for (int id : cluster.nodeIds()) {
            TopicDescription described = eventually(() -> cluster.stub(id).describeTopic(
                    DescribeTopicRequest.newBuilder().setName("moves").build()),
                    d -> d.getPartitionsList().stream().allMatch(p -> p.getLeader() > 0));
            assertThat(described.getTopicId()).isEqualTo(created.getTopicId());
            assertThat(described.getConfigsMap()).containsEntry("retention.ms", "3600000");
            assertThat(described.getPartitionsList()).allSatisfy(p -> assertThat(p.getLeaderEpoch()).isPositive());
            assertThat(cluster.stub(id).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                    .extracting(TopicSummary::getName, TopicSummary::getPartitions, TopicSummary::getReplicationFactor)
                    .contains(org.assertj.core.groups.Tuple.tuple("moves", 3, 3));
        }
        ClusterStatus status = eventually(() -> cluster.stub(metadataLeader).getStatus(
                GetStatusRequest.getDefaultInstance()), s -> s.getPartitionsList().stream()
                .filter(p -> p.getTopic().equals("moves"))
                .allMatch(p -> p.getReplicaStatusList().stream().allMatch(r -> r.getKnown() && r.getCaughtUp())));
        assertThat(status.getPartitionsList()).filteredOn(p -> p.getTopic().equals("moves")).hasSize(3)
                .allSatisfy(p -> assertThat(p.getReplicaStatusList()).extracting(r -> r.getLag()).containsOnly(0L));
    }

    @Test
    @Order(3)
    void transferredLeadershipIsSeenByKafkaClientsAndStays() throws Exception {
        PartitionStatus p0 = partition("moves", 0);
        int target = p0.getReplicasList().stream().filter(r -> r != p0.getLeader()).findFirst().orElseThrow();

        TransferLeaderResponse moved = cluster.stub(3).transferLeader(TransferLeaderRequest.newBuilder()
                .setTopic("moves").setPartition(0).setToNode(target).build());

        assertThat(moved.getLeader()).isEqualTo(target);
        assertThat(moved.getPreviousLeader()).isEqualTo(p0.getLeader());
        assertThat(moved.getLeaderEpoch()).isGreaterThan(p0.getLeaderEpoch());
        try (Admin admin = cluster.kafkaAdmin()) {
            eventually(() -> kafkaLeader(admin, "moves", 0), leader -> leader == target);
        }
        // A Ratis leader hands over to a caught-up peer of higher priority by itself: the move must have
        // changed the priorities, or the preferred replica would be leader again by now.
        Thread.sleep(1_500);
        assertThat(partition("moves", 0).getLeader()).isEqualTo(target);
    }

    @Test
    @Order(4)
    void transferIsRefusedForNonReplicasAndUnknownPartitions() {
        TopicDescription narrow = cluster.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("narrow")
                .setPartitions(1).setReplicationFactor(2).build());
        List<Integer> replicas = narrow.getPartitions(0).getReplicasList();
        int outsider = cluster.nodeIds().stream().filter(id -> !replicas.contains(id)).findFirst().orElseThrow();

        assertStatus(() -> cluster.stub(1).transferLeader(TransferLeaderRequest.newBuilder().setTopic("narrow")
                .setPartition(0).setToNode(outsider).build()), Status.Code.FAILED_PRECONDITION,
                "Node " + outsider + " is not a replica of narrow-0");
        assertStatus(() -> cluster.stub(1).transferLeader(TransferLeaderRequest.newBuilder().setTopic("narrow")
                .setPartition(5).setToNode(1).build()), Status.Code.NOT_FOUND, "Partition 5");
        assertStatus(() -> cluster.stub(1).transferLeader(TransferLeaderRequest.newBuilder().setTopic("nope")
                .setPartition(0).setToNode(1).build()), Status.Code.NOT_FOUND, "Topic 'nope' does not exist.");
        assertStatus(() -> cluster.stub(1).transferLeader(TransferLeaderRequest.newBuilder().setTopic("narrow")
                .setPartition(0).setToNode(9).build()), Status.Code.NOT_FOUND, "Node 9 is not in the cluster.");
        cluster.stub(2).deleteTopic(DeleteTopicRequest.newBuilder().setName("narrow").build());
    }

    @Test
    @Order(5)
    void balanceMovesLeadersBackToThePreferredReplicas() throws Exception {
        BalanceLeadersResponse balanced = cluster.stub(2).balanceLeaders(BalanceLeadersRequest.getDefaultInstance());

        assertThat(balanced.getSkippedList()).isEmpty();
        assertThat(balanced.getMovesList()).extracting(LeaderMove::getTopic, LeaderMove::getPartition)
                .contains(org.assertj.core.groups.Tuple.tuple("moves", 0));
        for (int p = 0; p < 3; p++) {
            PartitionStatus status = partition("moves", p);
            assertThat(status.getLeader()).as("leader of moves-%d", p).isEqualTo(status.getReplicas(0));
        }
        try (Admin admin = cluster.kafkaAdmin()) {
            int preferred = partition("moves", 0).getReplicas(0);
            eventually(() -> kafkaLeader(admin, "moves", 0), leader -> leader == preferred);
        }
        assertThat(cluster.stub(1).balanceLeaders(BalanceLeadersRequest.getDefaultInstance()).getMovesList())
                .isEmpty();
    }

    @Test
    @Order(6)
    void membershipChangesThatCannotWorkAreRefusedWithTheReason() {
        assertStatus(() -> cluster.stub(1).addNode(AddNodeRequest.newBuilder().setNodeId(4).build()),
                Status.Code.INVALID_ARGUMENT, "node 4 has not announced itself");
        assertStatus(() -> cluster.stub(2).removeNode(RemoveNodeRequest.newBuilder().setNodeId(3).build()),
                Status.Code.INVALID_ARGUMENT, "cannot remove node 3");
    }

    @Test
    @Order(7)
    void aStoppedNodeIsShownDownAndThenFencedAndItsReplicasNotCaughtUp() {
        assertThat(cluster.stub(1).getStatus(GetStatusRequest.getDefaultInstance()).getNodesList())
                .noneMatch(NodeStatus::getFenced);
        cluster.stop(3);

        ClusterStatus status = eventually(() -> cluster.stub(1).getStatus(GetStatusRequest.getDefaultInstance()),
                s -> s.getMetadataLeader() > 0 && s.getMetadataLeader() != 3
                        && s.getNodesList().stream().anyMatch(NodeStatus::getFenced));
        assertThat(status.getNodesList()).filteredOn(n -> n.getId() == 3).singleElement().satisfies(n -> {
            assertThat(n.getUp()).isFalse();
            assertThat(n.getMetadataRole()).isEqualTo(MetadataRole.METADATA_ROLE_UNKNOWN);
            assertThat(n.getFenced()).as("fenced by the metadata leader after the 2 s session timeout").isTrue();
        });
        assertThat(status.getNodesList()).filteredOn(n -> n.getId() != 3).hasSize(2).noneMatch(NodeStatus::getFenced);
        assertThat(status.getPartitionsList()).filteredOn(p -> p.getTopic().equals("moves"))
                .allSatisfy(p -> assertThat(p.getReplicaStatusList()).filteredOn(r -> r.getNodeId() == 3)
                        .singleElement().satisfies(r -> assertThat(r.getCaughtUp()).isFalse()));
    }

    private static PartitionStatus partition(String topic, int partition) {
        return eventually(() -> cluster.stub(1).describeTopic(DescribeTopicRequest.newBuilder().setName(topic)
                .build()).getPartitions(partition), p -> p.getLeader() > 0);
    }

    private static int kafkaLeader(Admin admin, String topic, int partition) {
        try {
            var node = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader();
            return node == null ? -1 : node.id();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Polls until the condition holds (at most 20 s), returning the value that satisfied it. */
    static <T> T eventually(Supplier<T> call, java.util.function.Predicate<T> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        T last = null;
        RuntimeException lastError = null;
        while (System.nanoTime() < deadline) {
            try {
                last = call.get();
                if (condition.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("condition not met within 20 s; last value: " + last, lastError);
    }
}
