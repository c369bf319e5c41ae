package io.chronik.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.server.config.NodeConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterInfoTest {
    private static final NodeConfig ONE = new NodeConfig(1, "127.0.0.1", 9092, 0, 0, Optional.empty());
    private static final NodeConfig TWO = new NodeConfig(2, "127.0.0.1", 9093, 0, 0, Optional.empty());

    @Test
    void clientsAreToldTheMetadataLeaderAsControllerOrThisNodeWhileThereIsNone() {
        ClusterInfo led = new ClusterInfo("c", TWO, List.of(ONE, TWO), MetadataLeadership.single(1));
        assertThat(led.controllerId()).isEqualTo(1);
        assertThat(led.controllerIdForClients()).isEqualTo(1);

        ClusterInfo electing = new ClusterInfo("c", TWO, List.of(ONE, TWO), MetadataLeadership.single(-1));
        assertThat(electing.controllerId()).isEqualTo(-1);
        assertThat(electing.controllerIdForClients()).isEqualTo(2);
    }
}
