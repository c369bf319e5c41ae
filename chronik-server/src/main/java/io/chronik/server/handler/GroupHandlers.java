package io.chronik.server.handler;

import io.chronik.server.group.ActiveCoordinator;
import io.chronik.server.group.GroupCoordinator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/**
 * The classic consumer-group APIs: each decodes nothing more and asks this node's {@link GroupCoordinator} — or
 * answers NOT_COORDINATOR when another node coordinates (clients then ask FindCoordinator again).
 */
public final class GroupHandlers {
    private GroupHandlers() {
    }

    public static void register(RequestDispatcher dispatcher, ActiveCoordinator coordinator) {
        dispatcher
                .register(ApiKeys.JOIN_GROUP, (RequestContext c, JoinGroupRequest r) -> with(coordinator, r,
                        g -> g.joinGroup(r.data(), c.apiVersion(), c.clientId(), clientHost(c))))
                .register(ApiKeys.SYNC_GROUP, (RequestContext c, SyncGroupRequest r) -> with(coordinator, r,
                        g -> g.syncGroup(r.data(), c.apiVersion())))
                .register(ApiKeys.HEARTBEAT, (RequestContext c, HeartbeatRequest r) -> with(coordinator, r,
                        g -> CompletableFuture.completedFuture(g.heartbeat(r.data(), c.apiVersion()))))
                .register(ApiKeys.LEAVE_GROUP, (RequestContext c, LeaveGroupRequest r) -> with(coordinator, r,
                        g -> CompletableFuture.completedFuture(g.leaveGroup(r.data(), c.apiVersion()))))
                .register(ApiKeys.OFFSET_COMMIT, (RequestContext c, OffsetCommitRequest r) -> with(coordinator, r,
                        g -> g.commitOffsets(r.data(), c.apiVersion())))
                .register(ApiKeys.OFFSET_FETCH, (RequestContext c, OffsetFetchRequest r) -> with(coordinator, r,
                        g -> CompletableFuture.completedFuture(g.fetchOffsets(r.data(), c.apiVersion()))))
                .register(ApiKeys.DESCRIBE_GROUPS, (RequestContext c, DescribeGroupsRequest r) -> with(coordinator, r,
                        g -> CompletableFuture.completedFuture(g.describeGroups(r.data(), c.apiVersion()))))
                .register(ApiKeys.LIST_GROUPS, (RequestContext c, ListGroupsRequest r) ->
                        // Admin asks every broker and merges: a node that coordinates nothing has no groups.
                        CompletableFuture.completedFuture(coordinator.current()
                                .<ApiMessage>map(g -> g.listGroups(r.data(), c.apiVersion()))
                                .orElseGet(() -> new ListGroupsResponseData().setErrorCode(Errors.NONE.code()))))
                .register(ApiKeys.DELETE_GROUPS, (RequestContext c, DeleteGroupsRequest r) -> with(coordinator, r,
                        g -> g.deleteGroups(r.data(), c.apiVersion())))
                .register(ApiKeys.OFFSET_DELETE, (RequestContext c, OffsetDeleteRequest r) -> with(coordinator, r,
                        g -> g.deleteOffsets(r.data())));
    }

    private static CompletionStage<? extends ApiMessage> with(
            ActiveCoordinator coordinator, AbstractRequest request,
            Function<GroupCoordinator, CompletionStage<? extends ApiMessage>> call) {
        Optional<GroupCoordinator> g = coordinator.current();
        if (g.isEmpty()) {
            return CompletableFuture.completedFuture(request.getErrorResponse(0,
                    new NotCoordinatorException("this node does not coordinate groups now")).data());
        }
        return call.apply(g.get());
    }

    private static String clientHost(RequestContext c) {
        return c.clientAddress() == null ? "" : "/" + c.clientAddress().getHostAddress();
    }
}
