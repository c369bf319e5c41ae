package io.chronik.server.handler;

import io.chronik.server.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;

/** The classic consumer-group APIs: each decodes nothing more and asks the {@link GroupCoordinator}. */
public final class GroupHandlers {
    private GroupHandlers() {
    }

    public static void register(RequestDispatcher dispatcher, GroupCoordinator groups) {
        dispatcher
                .register(ApiKeys.JOIN_GROUP, (RequestContext c, JoinGroupRequest r) ->
                        groups.joinGroup(r.data(), c.apiVersion(), c.clientId(), clientHost(c)))
                .register(ApiKeys.SYNC_GROUP, (RequestContext c, SyncGroupRequest r) ->
                        groups.syncGroup(r.data(), c.apiVersion()))
                .register(ApiKeys.HEARTBEAT, (RequestContext c, HeartbeatRequest r) ->
                        CompletableFuture.completedFuture(groups.heartbeat(r.data(), c.apiVersion())))
                .register(ApiKeys.LEAVE_GROUP, (RequestContext c, LeaveGroupRequest r) ->
                        CompletableFuture.completedFuture(groups.leaveGroup(r.data(), c.apiVersion())))
                .register(ApiKeys.OFFSET_COMMIT, (RequestContext c, OffsetCommitRequest r) ->
                        groups.commitOffsets(r.data(), c.apiVersion()))
                .register(ApiKeys.OFFSET_FETCH, (RequestContext c, OffsetFetchRequest r) ->
                        CompletableFuture.completedFuture(groups.fetchOffsets(r.data(), c.apiVersion())))
                .register(ApiKeys.DESCRIBE_GROUPS, (RequestContext c, DescribeGroupsRequest r) ->
                        CompletableFuture.completedFuture(groups.describeGroups(r.data(), c.apiVersion())))
                .register(ApiKeys.LIST_GROUPS, (RequestContext c, ListGroupsRequest r) ->
                        CompletableFuture.completedFuture(groups.listGroups(r.data(), c.apiVersion())))
                .register(ApiKeys.DELETE_GROUPS, (RequestContext c, DeleteGroupsRequest r) ->
                        groups.deleteGroups(r.data(), c.apiVersion()));
    }

    private static String clientHost(RequestContext c) {
        return c.clientAddress() == null ? "" : "/" + c.clientAddress().getHostAddress();
    }
}
