package io.chronik.server.admin;

import io.chronik.protocol.admin.v1.AddNodeRequest;
import io.chronik.protocol.admin.v1.AdminServiceGrpc;
import io.chronik.protocol.admin.v1.BalanceLeadersRequest;
import io.chronik.protocol.admin.v1.BalanceLeadersResponse;
import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.CreateTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicResponse;
import io.chronik.protocol.admin.v1.DescribeTopicRequest;
import io.chronik.protocol.admin.v1.GetNodeReportRequest;
import io.chronik.protocol.admin.v1.GetStatusRequest;
import io.chronik.protocol.admin.v1.ListTopicsRequest;
import io.chronik.protocol.admin.v1.ListTopicsResponse;
import io.chronik.protocol.admin.v1.NodeChangeResponse;
import io.chronik.protocol.admin.v1.NodeReport;
import io.chronik.protocol.admin.v1.RemoveNodeRequest;
import io.chronik.protocol.admin.v1.TopicDescription;
import io.chronik.protocol.admin.v1.TopicSummary;
import io.chronik.protocol.admin.v1.TransferLeaderRequest;
import io.chronik.protocol.admin.v1.TransferLeaderResponse;
import io.chronik.raft.metadata.TopicImage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Comparator;
import io.chronik.server.membership.Membership;
import io.chronik.server.membership.NodeChange;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code chronik.admin.v1.AdminService} of one node. Reads come from this node's applied metadata and live
 * Raft state ({@link ClusterView}); topic writes go through the {@code TopicManager}, whose metadata store carries
 * them to the metadata leader from whichever node received them; leader moves are {@link LeaderMoves}. Every
 * failure is answered with a gRPC status made by {@link AdminErrors}. Membership RPCs run {@link Membership}
 * changes on this node and wait for them within bounds below the CLI's deadlines.
 *
 * <p>Calls run on gRPC's executor threads and may block them (bounded waits only). Stateless; any thread.
 */
final class AdminService extends AdminServiceGrpc.AdminServiceImplBase {

    private static final Logger log = LoggerFactory.getLogger(AdminService.class);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** How long a create waits for the new partitions to elect leaders before answering without them. */
    static final Duration CREATE_SETTLE = Duration.ofSeconds(5);
    /** Bounds below the CLI's deadlines (45 s for writes, 180 s for long moves), so the CLI hears the answer. */
    static final Duration ADD_TIMEOUT = Duration.ofSeconds(40);
    static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(170);
    /** How long a removal without --wait waits for a refusal (one metadata round trip) before answering. */
    static final Duration REFUSAL_WINDOW = Duration.ofSeconds(5);

    private final AdminContext context;
    private final NodeReporter reporter;
    private final ClusterView view;
    private final LeaderMoves moves;

    AdminService(AdminContext context, NodeReporter reporter, ClusterView view, LeaderMoves moves) {
        this.context = context;
        this.reporter = reporter;
        this.view = view;
        this.moves = moves;
    }

    @Override
    public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> response) {
        answer(response, view::status);
    }

    @Override
    public void getNodeReport(GetNodeReportRequest request, StreamObserver<NodeReport> response) {
        answer(response, reporter::report);
    }

    @Override
    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> response) {
        answer(response, () -> {
            ListTopicsResponse.Builder topics = ListTopicsResponse.newBuilder();
            context.metadata().image().topicsByName().values().stream()
                    .sorted(Comparator.comparing(TopicImage::name))
                    .forEach(t -> topics.addTopics(TopicSummary.newBuilder()
                            .setName(t.name())
                            .setTopicId(t.topicId().toString())
                            .setPartitions(t.partitionCount())
                            .setReplicationFactor(t.partitionCount() == 0 ? 0 : t.replicas(0).size())
                            .build()));
            return topics.build();
        });
    }

    @Override
    public void describeTopic(DescribeTopicRequest request, StreamObserver<TopicDescription> response) {
        answer(response, () -> view.describe(topic(request.getName())));
    }

    @Override
    public void createTopic(CreateTopicRequest request, StreamObserver<TopicDescription> response) {
        answer(response, () -> {
            TopicImage created = await(context.topics().create(request.getName(),
                    request.getPartitions() == 0 ? -1 : request.getPartitions(),
                    request.getReplicationFactor() == 0 ? -1 : request.getReplicationFactor(),
                    request.getConfigsMap(), false));
            log.info("admin: created topic {} ({} partitions)", created.name(), created.partitionCount());
            return settled(created);
        });
    }

    @Override
    public void deleteTopic(DeleteTopicRequest request, StreamObserver<DeleteTopicResponse> response) {
        answer(response, () -> {
            TopicImage deleted = await(context.topics().delete(request.getName()));
            log.info("admin: deleted topic {}", deleted.name());
            return DeleteTopicResponse.newBuilder().setName(deleted.name())
                    .setTopicId(deleted.topicId().toString()).build();
        });
    }

    @Override
    public void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> response) {
        answer(response, () -> moves.transfer(request.getTopic(), request.getPartition(), request.getToNode()));
    }

    @Override
    public void balanceLeaders(BalanceLeadersRequest request, StreamObserver<BalanceLeadersResponse> response) {
        answer(response, moves::balance);
    }

    @Override
    public void addNode(AddNodeRequest request, StreamObserver<NodeChangeResponse> response) {
        answer(response, () -> changed(await(membership().addNode(request.getNodeId()), ADD_TIMEOUT)));
    }

    @Override
    public void removeNode(RemoveNodeRequest request, StreamObserver<NodeChangeResponse> response) {
        answer(response, () -> {
            CompletableFuture<NodeChange> removal = membership().removeNode(request.getNodeId());
            if (request.getWait()) {
                return changed(await(removal, REMOVE_TIMEOUT));
            }
            // Refusals come back within moments; otherwise answer while the moves go on (status shows the progress).
            try {
                return changed(await(removal, REFUSAL_WINDOW));
            } catch (StatusRuntimeException running) {
                if (running.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw running;
                }
                return NodeChangeResponse.newBuilder().setNodeId(request.getNodeId()).setState("REMOVING")
                        .setMessage("removal started; follow it with `status`").build();
            }
        });
    }

    private Membership membership() {
        return context.membership().orElseThrow(() -> AdminErrors.failedPrecondition(
                "single-node cluster: membership changes need a clustered node"));
    }

    private static NodeChangeResponse changed(NodeChange change) {
        return NodeChangeResponse.newBuilder().setNodeId(change.nodeId()).setState(change.state().name())
                .setMessage(change.message() == null ? "" : change.message()).build();
    }

    /** Waits for a membership change; past the timeout it goes on, and DEADLINE_EXCEEDED says where to follow it. */
    private static <T> T await(CompletableFuture<T> future, Duration timeout) {
        return await(future, timeout, () -> Status.DEADLINE_EXCEEDED.withDescription("still running after "
                + timeout.toSeconds() + " s; follow it with `status`").asRuntimeException());
    }

    /** Waits for a metadata write (bounded); failures become the gRPC status of their Kafka error. */
    private static <T> T await(CompletableFuture<T> future) {
        return await(future, WRITE_TIMEOUT, () -> AdminErrors.unavailable("no answer from the metadata group within "
                + WRITE_TIMEOUT.toSeconds() + " s"));
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout,
                               Supplier<StatusRuntimeException> onTimeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw onTimeout.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdminErrors.unavailable("interrupted");
        } catch (ExecutionException e) {
            throw AdminErrors.toStatus(e.getCause());
        }
    }

    private TopicImage topic(String name) {
        return context.metadata().image().topic(name)
                .orElseThrow(() -> AdminErrors.notFound("Topic '" + name + "' does not exist."));
    }

    /** The new topic's description once every partition has a leader, or as it is after {@link #CREATE_SETTLE}. */
    private TopicDescription settled(TopicImage created) {
        long deadline = System.nanoTime() + CREATE_SETTLE.toNanos();
        TopicDescription description = view.describe(created);
        while (description.getPartitionsList().stream().anyMatch(p -> p.getLeader() < 0)
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            description = view.describe(context.metadata().image().topic(created.name()).orElse(created));
        }
        return description;
    }

    private static <T> void answer(StreamObserver<T> response, Supplier<T> call) {
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            var status = AdminErrors.toStatus(e);
            if (status.getStatus().getCode() == Status.Code.INTERNAL) {
                log.warn("admin call failed", e);
            }
            response.onError(status);
            return;
        }
        response.onNext(value);
        response.onCompleted();
    }

}
