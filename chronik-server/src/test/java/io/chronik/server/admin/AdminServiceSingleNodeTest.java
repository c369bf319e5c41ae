package io.chronik.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chronik.protocol.admin.v1.AddNodeRequest;
import io.chronik.protocol.admin.v1.BalanceLeadersRequest;
import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.CreateTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicRequest;
import io.chronik.protocol.admin.v1.DescribeTopicRequest;
import io.chronik.protocol.admin.v1.GetStatusRequest;
import io.chronik.protocol.admin.v1.ListTopicsRequest;
import io.chronik.protocol.admin.v1.MetadataRole;
import io.chronik.protocol.admin.v1.PartitionStatus;
import io.chronik.protocol.admin.v1.RemoveNodeRequest;
import io.chronik.protocol.admin.v1.TopicDescription;
import io.chronik.protocol.admin.v1.TopicSummary;
import io.chronik.protocol.admin.v1.TransferLeaderRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every admin call against one node running without Raft (local metadata, single-replica partitions). */
class AdminServiceSingleNodeTest {

    @TempDir
    static Path dir;
    static AdminTestCluster node;

    @BeforeAll
    static void start() throws Exception {
        node = AdminTestCluster.start(dir, 1, 1);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void statusShowsTheOneNodeLeadingEverything() {
        node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("status-topic").setPartitions(2).build());

        ClusterStatus status = node.stub(1).getStatus(GetStatusRequest.getDefaultInstance());

        assertThat(status.getClusterId()).isNotBlank();
        assertThat(status.getMetadataLeader()).isEqualTo(1);
        assertThat(status.getNodesList()).singleElement().satisfies(n -> {
            assertThat(n.getId()).isEqualTo(1);
            assertThat(n.getUp()).isTrue();
            assertThat(n.getMetadataRole()).isEqualTo(MetadataRole.METADATA_ROLE_LEADER);
            assertThat(n.getAdminPort()).isEqualTo(node.node(1).adminPort());
            assertThat(n.getKafkaPort()).isEqualTo(node.node(1).kafkaPort());
            assertThat(n.getRack()).isEqualTo("rack-1");
        });
        assertThat(status.getPartitionsList()).filteredOn(p -> p.getTopic().equals("status-topic"))
                .extracting(PartitionStatus::getPartition, PartitionStatus::getLeader, PartitionStatus::getLeaderEpoch)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 1, 0L),
                        org.assertj.core.groups.Tuple.tuple(1, 1, 0L));
        assertThat(status.getPartitionsList()).allSatisfy(p -> assertThat(p.getReplicaStatusList())
                .singleElement().satisfies(r -> {
                    assertThat(r.getNodeId()).isEqualTo(1);
                    assertThat(r.getCaughtUp()).isTrue();
                    assertThat(r.getLag()).isZero();
                }));
    }

    @Test
    void topicLifecycle() {
        TopicDescription created = node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("orders")
                .setPartitions(3).putConfigs("retention.ms", "60000").build());
        assertThat(created.getName()).isEqualTo("orders");
        assertThat(created.getTopicId()).isNotBlank();
        assertThat(created.getPartitionsList()).extracting(PartitionStatus::getLeader).containsExactly(1, 1, 1);
        assertThat(created.getConfigsMap()).containsEntry("retention.ms", "60000");

        assertThat(node.stub(1).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                .filteredOn(t -> t.getName().equals("orders"))
                .singleElement()
                .extracting(TopicSummary::getPartitions, TopicSummary::getReplicationFactor)
                .containsExactly(3, 1);

        TopicDescription described = node.stub(1).describeTopic(DescribeTopicRequest.newBuilder().setName("orders")
                .build());
        assertThat(described.getTopicId()).isEqualTo(created.getTopicId());
        assertThat(described.getPartitionsList()).extracting(PartitionStatus::getReplicasList)
                .containsOnly(java.util.List.of(1));

        assertThat(node.stub(1).deleteTopic(DeleteTopicRequest.newBuilder().setName("orders").build()).getTopicId())
                .isEqualTo(created.getTopicId());
        assertThat(node.stub(1).listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList())
                .extracting(TopicSummary::getName).doesNotContain("orders");
    }

    @Test
    void topicErrorsMapToStatusesWithKafkasMessage() {
        node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("twice").build());

        assertStatus(() -> node.stub(1).describeTopic(DescribeTopicRequest.newBuilder().setName("nope").build()),
                Status.Code.NOT_FOUND, "Topic 'nope' does not exist.");
        assertStatus(() -> node.stub(1).deleteTopic(DeleteTopicRequest.newBuilder().setName("nope").build()),
                Status.Code.NOT_FOUND, "Topic 'nope' does not exist.");
        assertStatus(() -> node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("twice").build()),
                Status.Code.ALREADY_EXISTS, "Topic 'twice' already exists.");
        assertStatus(() -> node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("rf")
                .setReplicationFactor(3).build()), Status.Code.INVALID_ARGUMENT, "Replication factor 3");
        assertStatus(() -> node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("bad name!").build()),
                Status.Code.INVALID_ARGUMENT, "bad name!");
        assertStatus(() -> node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("cfg")
                .putConfigs("no.such.config", "1").build()), Status.Code.INVALID_ARGUMENT, "no.such.config");
    }

    @Test
    void leaderMovesAreRefusedOnASingleNode() {
        node.stub(1).createTopic(CreateTopicRequest.newBuilder().setName("still").build());

        assertStatus(() -> node.stub(1).transferLeader(TransferLeaderRequest.newBuilder().setTopic("still")
                .setPartition(0).setToNode(1).build()), Status.Code.FAILED_PRECONDITION,
                "single-node cluster: nothing to move");
        assertStatus(() -> node.stub(1).balanceLeaders(BalanceLeadersRequest.getDefaultInstance()),
                Status.Code.FAILED_PRECONDITION, "single-node cluster: nothing to move");
    }

    @Test
    void membershipChangesNeedAClusteredNode() {
        assertStatus(() -> node.stub(1).addNode(AddNodeRequest.newBuilder().setNodeId(4).build()),
                Status.Code.FAILED_PRECONDITION, "membership changes need a clustered node");
        assertStatus(() -> node.stub(1).removeNode(RemoveNodeRequest.newBuilder().setNodeId(1).build()),
                Status.Code.FAILED_PRECONDITION, "membership changes need a clustered node");
    }

    static void assertStatus(ThrowingCallable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }
}
