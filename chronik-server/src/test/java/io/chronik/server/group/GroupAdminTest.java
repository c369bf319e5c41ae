package io.chronik.server.group;

import static io.chronik.server.group.GroupHarness.GROUP;
import static io.chronik.server.group.GroupHarness.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.chronik.raft.metadata.CommittedOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class GroupAdminTest {

    private static InMemoryGroupStore storeWithOffsetsFor(String groupId) {
        InMemoryGroupStore store = new InMemoryGroupStore();
        store.commit(groupId, Map.of(new TopicPartition("t", 0), new CommittedOffset(42, -1, "", 1L))).join();
        return store;
    }

    private final GroupHarness h = new GroupHarness(new GroupConfig(0, 1000, 60_000, Integer.MAX_VALUE),
            storeWithOffsetsFor("restored"));

    private Map<String, String> listed(short version, List<String> states) {
        ListGroupsResponseData response = h.coordinator.listGroups(new ListGroupsRequestData().setStatesFilter(states),
                version);
        GroupHarness.assertEncodes(response, version);
        return response.groups().stream().collect(java.util.stream.Collectors.toMap(ListedGroup::groupId,
                g -> g.groupState() + "/" + g.protocolType()));
    }

    @Test
    void groupsWithOnlyCommittedOffsetsExistAsEmptyGroupsOnStartup() {
        assertThat(listed((short) 4, List.of())).containsExactly(Map.entry("restored", "Empty/"));
        DescribedGroup d = h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("restored")),
                (short) 5).groups().get(0);
        assertThat(d.groupState()).isEqualTo("Empty");
        assertThat(error(d.errorCode())).isEqualTo(Errors.NONE);
    }

    @Test
    void describingAnUnknownGroupAnswersDead() {
        DescribedGroup d = h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("nope"))
                .setIncludeAuthorizedOperations(true), (short) 5).groups().get(0);
        assertThat(d.groupState()).isEqualTo("Dead");
        assertThat(error(d.errorCode())).isEqualTo(Errors.NONE);
        assertThat(d.members()).isEmpty();
        assertThat(d.authorizedOperations()).isPositive();
    }

    @Test
    void listFiltersByStateAtV4AndReportsTheClassicTypeAtV5() {
        h.stableGroupOfTwo();
        assertThat(listed((short) 4, List.of())).containsOnlyKeys("restored", GROUP)
                .containsEntry(GROUP, "Stable/consumer");
        assertThat(listed((short) 4, List.of("stable"))).containsOnlyKeys(GROUP);
        assertThat(listed((short) 4, List.of("Empty"))).containsOnlyKeys("restored");
        ListGroupsResponseData v5 = h.coordinator.listGroups(new ListGroupsRequestData()
                .setTypesFilter(List.of("consumer")), (short) 5);
        assertThat(v5.groups()).isEmpty();
        ListGroupsResponseData classic = h.coordinator.listGroups(new ListGroupsRequestData()
                .setTypesFilter(List.of("Classic")), (short) 5);
        assertThat(classic.groups()).extracting(ListedGroup::groupType).containsOnly("classic");
        // Old versions ignore the filter and carry no state.
        assertThat(listed((short) 0, List.of())).containsOnlyKeys("restored", GROUP);
    }

    @Test
    void deleteOnlyRemovesEmptyGroupsAndDropsTheirOffsets() {
        h.stableGroupOfTwo();
        DeleteGroupsResponseData response = h.coordinator.deleteGroups(new DeleteGroupsRequestData()
                .setGroupsNames(List.of("restored", GROUP, "nope")), (short) 2).join();
        GroupHarness.assertEncodes(response, (short) 2);
        assertThat(error(response.results().find("restored").errorCode())).isEqualTo(Errors.NONE);
        assertThat(error(response.results().find(GROUP).errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(error(response.results().find("nope").errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(h.store.groups()).doesNotContain("restored");
        assertThat(listed((short) 4, List.of())).containsOnlyKeys(GROUP);
    }

    @Test
    void aGroupBeingDeletedIsNotResurrectedFromItsOffsets() {
        h.store.holdWrites();
        var pending = h.coordinator.deleteGroups(new DeleteGroupsRequestData().setGroupsNames(List.of("restored")),
                (short) 1);
        assertThat(pending).isNotDone();
        assertThat(h.coordinator.describeGroups(new DescribeGroupsRequestData().setGroups(List.of("restored")),
                (short) 0).groups().get(0).groupState()).isEqualTo("Dead");
        h.store.releaseWrites();
        assertThat(error(pending.join().results().find("restored").errorCode())).isEqualTo(Errors.NONE);
        assertThat(listed((short) 4, List.of())).isEmpty();
    }
}
