package io.chronik.server.membership;

import io.chronik.raft.metadata.MemberImage;
import io.chronik.raft.metadata.MemberState;
import io.chronik.raft.metadata.MetadataCommand;
import io.chronik.raft.metadata.MetadataImage;
import io.chronik.raft.metadata.MetadataListener;
import io.chronik.server.config.NodeConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster's nodes as they are now: the nodes of the cluster file that are not marked {@code join}, changed by the
 * member records of the metadata (a removed node drops out, an added node comes in). This is what clients are told
 * (Metadata, DescribeCluster; less the {@linkplain #fenced() fenced} ones), where new replicas may go, and how a node
 * finds another node's Raft address.
 *
 * <p>Updated on the metadata applier thread (it is a {@link MetadataListener}); read from any thread. Each update
 * publishes one immutable snapshot, so a reader never sees half of a change.
 */
public final class ClusterMembers implements MetadataListener {

    private record View(Map<Integer, NodeConfig> known, Map<Integer, MemberState> states, Set<Integer> fenced) {
    }

    private final List<NodeConfig> fileNodes;
    private volatile View view;

    public ClusterMembers(List<NodeConfig> fileNodes) {
        this.fileNodes = List.copyOf(fileNodes);
        this.view = compute(MetadataImage.EMPTY);
    }

    /** The nodes clients see, by id: active and removing members. */
    public List<NodeConfig> nodes() {
        View v = view;
        List<NodeConfig> out = new ArrayList<>();
        v.states().forEach((id, state) -> {
            if (state == MemberState.ACTIVE || state == MemberState.REMOVING) {
                out.add(v.known().get(id));
            }
        });
        out.sort(Comparator.comparingInt(NodeConfig::id));
        return out;
    }

    /** Node ids that may receive new replicas: active members only. */
    public List<Integer> eligibleForReplicas() {
        return view.states().entrySet().stream().filter(e -> e.getValue() == MemberState.ACTIVE)
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The node's addresses, whatever its state (a pending node's too), when it is known at all. */
    public Optional<NodeConfig> address(int nodeId) {
        return Optional.ofNullable(view.known().get(nodeId));
    }

    /** The node's state; empty for a node that is neither in the cluster file's initial set nor recorded. */
    public Optional<MemberState> state(int nodeId) {
        return Optional.ofNullable(view.states().get(nodeId));
    }

    /** Nodes the metadata leader fenced: members that have not answered it for the node session timeout. */
    public Set<Integer> fenced() {
        return view.fenced();
    }

    /** Every known node's state, by node id. */
    public Map<Integer, MemberState> states() {
        return view.states();
    }

    @Override
    public void onApplied(MetadataCommand<?> command, Object result, MetadataImage after) {
        if (command instanceof MetadataCommand.RegisterNode || command instanceof MetadataCommand.ChangeNodeState
                || command instanceof MetadataCommand.SetFencedNodes) {
            view = compute(after);
        }
    }

    @Override
    public void onLoaded(MetadataImage image) {
        view = compute(image);
    }

    private View compute(MetadataImage image) {
        Map<Integer, MemberImage> members = image.members();
        Map<Integer, NodeConfig> known = new LinkedHashMap<>();
        Map<Integer, MemberState> states = new TreeMap<>();
        for (NodeConfig n : fileNodes) {
            known.put(n.id(), n);
            if (!n.join()) {
                states.put(n.id(), MemberState.ACTIVE);
            }
        }
        for (MemberImage m : members.values()) {
            known.put(m.nodeId(), toNode(m));
            states.put(m.nodeId(), m.state());
        }
        return new View(Map.copyOf(known), java.util.Collections.unmodifiableMap(states), image.fencedNodes());
    }

    static NodeConfig toNode(MemberImage m) {
        return new NodeConfig(m.nodeId(), m.host(), m.kafkaPort(), m.raftPort(), m.adminPort(),
                m.rack().isEmpty() ? Optional.empty() : Optional.of(m.rack()));
    }

    static MemberImage toMember(NodeConfig n, MemberState state) {
        return new MemberImage(n.id(), n.host(), n.kafkaPort(), n.raftPort(), n.adminPort(), n.rack().orElse(""),
                state);
    }
}
