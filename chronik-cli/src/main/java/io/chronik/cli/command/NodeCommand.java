package io.chronik.cli.command;

import io.chronik.cli.AdminClient;
import io.chronik.cli.CliSession;
import io.chronik.protocol.admin.v1.AddNodeRequest;
import io.chronik.protocol.admin.v1.NodeChangeResponse;
import io.chronik.protocol.admin.v1.RemoveNodeRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code node add|remove}: cluster membership changes, run by the server the CLI talks to. */
@Command(name = "node", description = "Add or remove cluster nodes.",
        subcommands = {NodeCommand.Add.class, NodeCommand.Remove.class})
final class NodeCommand {

    @Command(name = "add", description = "Add a started, waiting node to the cluster.")
    static final class Add extends SessionCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the node id")
        int id;

        Add(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            NodeChangeResponse r = admin(AdminClient.WRITE).addNode(AddNodeRequest.newBuilder().setNodeId(id).build());
            printer().print(json(r), "Node " + r.getNodeId() + ": " + r.getState()
                    + (r.getMessage().isEmpty() ? "" : " - " + r.getMessage()) + "\n");
        }
    }

    @Command(name = "remove", description = "Move every replica off a node, then remove it from the cluster.")
    static final class Remove extends SessionCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the node id")
        int id;

        @Option(names = "--wait", description = "wait until the removal has finished")
        boolean await;

        Remove(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            NodeChangeResponse r = admin(AdminClient.BALANCE).removeNode(RemoveNodeRequest.newBuilder().setNodeId(id)
                    .setWait(await).build());
            printer().print(json(r), "Node " + r.getNodeId() + ": " + r.getState()
                    + (r.getMessage().isEmpty() ? "" : " - " + r.getMessage()) + "\n");
        }
    }

    static Map<String, Object> json(NodeChangeResponse r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node_id", r.getNodeId());
        out.put("state", r.getState());
        out.put("message", r.getMessage());
        return out;
    }
}
