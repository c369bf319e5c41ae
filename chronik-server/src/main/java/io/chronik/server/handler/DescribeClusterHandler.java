package io.chronik.server.handler;

import io.chronik.server.cluster.ClusterInfo;
import io.chronik.server.config.NodeConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster: cluster id, controller and brokers (every node is both broker and controller), fenced nodes left
 * out as Kafka leaves out fenced brokers.
 */
public final class DescribeClusterHandler implements RequestHandler<DescribeClusterRequest> {
    private final ClusterInfo cluster;

    public DescribeClusterHandler(ClusterInfo cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletionStage<DescribeClusterResponseData> handle(RequestContext context,
                                                                DescribeClusterRequest request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setErrorCode(Errors.NONE.code())
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerIdForClients())
                .setEndpointType(request.data().endpointType())
                .setThrottleTimeMs(0);
        for (NodeConfig node : cluster.nodes()) {
            if (cluster.fenced(node.id())) {
                continue;
            }
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(node.id())
                    .setHost(node.host())
                    .setPort(node.kafkaPort())
                    .setRack(node.rack().orElse(null)));
        }
        return CompletableFuture.completedFuture(response);
    }
}
