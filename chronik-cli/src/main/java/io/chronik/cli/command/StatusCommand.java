package io.chronik.cli.command;

import io.chronik.cli.AdminClient;
import io.chronik.cli.CliSession;
import io.chronik.cli.output.Views;
import io.chronik.protocol.admin.v1.ClusterStatus;
import io.chronik.protocol.admin.v1.GetStatusRequest;
import picocli.CommandLine.Command;

/** {@code status}: nodes (up/down, metadata role) and every partition's leader, epoch and replica progress. */
@Command(name = "status", description = "Show the nodes, the metadata leader, and each partition's leader, epoch "
        + "and replica lag.")
final class StatusCommand extends SessionCommand {

    StatusCommand(CliSession session) {
        super(session);
    }

    @Override
    public void run() {
        ClusterStatus status = admin(AdminClient.READ).getStatus(GetStatusRequest.getDefaultInstance());
        printer().print(Views.json(status), Views.text(status));
    }
}
