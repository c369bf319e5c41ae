package io.chronik.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class GroupStateTest {

    @Test
    void transitionsFollowKafkasRebalanceCycle() {
        assertThat(GroupState.PREPARING_REBALANCE.canFollow(GroupState.EMPTY)).isTrue();
        assertThat(GroupState.COMPLETING_REBALANCE.canFollow(GroupState.PREPARING_REBALANCE)).isTrue();
        assertThat(GroupState.STABLE.canFollow(GroupState.COMPLETING_REBALANCE)).isTrue();
        assertThat(GroupState.EMPTY.canFollow(GroupState.PREPARING_REBALANCE)).isTrue();
        assertThat(GroupState.STABLE.canFollow(GroupState.EMPTY)).isFalse();
        assertThat(GroupState.COMPLETING_REBALANCE.canFollow(GroupState.STABLE)).isFalse();
        assertThat(GroupState.EMPTY.canFollow(GroupState.DEAD)).isFalse();
    }

    @Test
    void aGroupRefusesAnIllegalTransition() {
        ClassicGroup group = new ClassicGroup("g", Time.SYSTEM);
        assertThatThrownBy(() -> group.transitionTo(GroupState.STABLE)).isInstanceOf(IllegalStateException.class);
        group.transitionTo(GroupState.PREPARING_REBALANCE);
        assertThat(group.state()).isEqualTo(GroupState.PREPARING_REBALANCE);
    }

    @Test
    void wireNamesParseCaseInsensitively() {
        assertThat(GroupState.fromKafkaName("completingrebalance")).contains(GroupState.COMPLETING_REBALANCE);
        assertThat(GroupState.fromKafkaName("Stable").orElseThrow().kafkaName()).isEqualTo("Stable");
        assertThat(GroupState.fromKafkaName("Assigning")).isEmpty();
    }
}
