package io.chronik.server.handler;

import io.chronik.server.cluster.ClusterInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator: groups are coordinated by the metadata leader. Transaction coordinators do not exist, and a
 * transactional producer is told so (a fatal, readable error on its side) instead of retrying forever.
 */
public final class FindCoordinatorHandler implements RequestHandler<FindCoordinatorRequest> {
    private final ClusterInfo cluster;

    public FindCoordinatorHandler(ClusterInfo cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletionStage<FindCoordinatorResponseData> handle(RequestContext context,
                                                               FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        byte keyType = data.keyType();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (context.apiVersion() >= 4) {
            for (String key : data.coordinatorKeys()) {
                Coordinator c = new Coordinator().setKey(key);
                fill(keyType, c);
                response.coordinators().add(c);
            }
        } else {
            Coordinator c = new Coordinator().setKey(data.key());
            fill(keyType, c);
            response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        return CompletableFuture.completedFuture(response);
    }

    private void fill(byte keyType, Coordinator c) {
        if (keyType == FindCoordinatorRequest.CoordinatorType.GROUP.id()) {
            var coordinator = cluster.node(cluster.controllerId());
            if (coordinator.isEmpty()) {
                c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setNodeId(-1).setHost("").setPort(-1);
                return;
            }
            c.setErrorCode(Errors.NONE.code()).setNodeId(coordinator.get().id()).setHost(coordinator.get().host())
                    .setPort(coordinator.get().kafkaPort());
        } else {
            Errors error = Errors.UNSUPPORTED_VERSION;
            c.setErrorCode(error.code())
                    .setErrorMessage("Chronik does not support transactions (coordinator type " + keyType + ")")
                    .setNodeId(-1).setHost("").setPort(-1);
        }
    }

}
