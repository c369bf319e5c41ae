package io.chronik.cli.command;

import io.chronik.cli.AdminClient;
import io.chronik.cli.CliSession;
import io.chronik.cli.output.Views;
import io.chronik.protocol.admin.v1.BalanceLeadersRequest;
import io.chronik.protocol.admin.v1.BalanceLeadersResponse;
import io.chronik.protocol.admin.v1.TransferLeaderRequest;
import io.chronik.protocol.admin.v1.TransferLeaderResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code leader transfer|balance}. */
@Command(name = "leader", description = "Move partition leaders.",
        subcommands = {LeaderCommand.Transfer.class, LeaderCommand.Balance.class})
final class LeaderCommand {

    @Command(name = "transfer", description = "Make a replica the leader of a partition (Raft leadership transfer).")
    static final class Transfer extends SessionCommand {
        @Parameters(index = "0", paramLabel = "TOPIC", description = "the topic")
        String topic;

        @Parameters(index = "1", paramLabel = "PARTITION", description = "the partition number")
        int partition;

        @Option(names = "--to", required = true, paramLabel = "NODE", description = "the node id to lead it")
        int to;

        Transfer(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            TransferLeaderResponse moved = admin(AdminClient.WRITE).transferLeader(TransferLeaderRequest.newBuilder()
                    .setTopic(topic).setPartition(partition).setToNode(to).build());
            printer().print(Views.json(moved), Views.text(moved));
        }
    }

    @Command(name = "balance", description = "Make each partition's preferred replica (first in its assignment) "
            + "leader, where it is up and caught up.")
    static final class Balance extends SessionCommand {
        Balance(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            BalanceLeadersResponse balanced = admin(AdminClient.BALANCE).balanceLeaders(
                    BalanceLeadersRequest.getDefaultInstance());
            printer().print(Views.json(balanced), Views.text(balanced));
        }
    }
}
