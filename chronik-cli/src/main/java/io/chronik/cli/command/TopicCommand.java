package io.chronik.cli.command;

import io.chronik.cli.AdminClient;
import io.chronik.cli.CliSession;
import io.chronik.cli.output.Views;
import io.chronik.protocol.admin.v1.CreateTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicRequest;
import io.chronik.protocol.admin.v1.DeleteTopicResponse;
import io.chronik.protocol.admin.v1.DescribeTopicRequest;
import io.chronik.protocol.admin.v1.ListTopicsRequest;
import io.chronik.protocol.admin.v1.ListTopicsResponse;
import io.chronik.protocol.admin.v1.TopicDescription;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code topic list|describe|create|delete}. */
@Command(name = "topic", description = "List, describe, create and delete topics.",
        subcommands = {TopicCommand.List.class, TopicCommand.Describe.class, TopicCommand.Create.class,
                TopicCommand.Delete.class})
final class TopicCommand {

    @Command(name = "list", description = "List the topics.")
    static final class List extends SessionCommand {
        List(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            ListTopicsResponse topics = admin(AdminClient.READ).listTopics(ListTopicsRequest.getDefaultInstance());
            printer().print(Views.json(topics), Views.text(topics));
        }
    }

    @Command(name = "describe", description = "Show a topic's partitions (leader, epoch, replicas, lag) and configs.")
    static final class Describe extends SessionCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the topic")
        String name;

        Describe(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            TopicDescription topic = admin(AdminClient.READ).describeTopic(DescribeTopicRequest.newBuilder()
                    .setName(name).build());
            printer().print(Views.json(topic), Views.text(topic));
        }
    }

    @Command(name = "create", description = "Create a topic.")
    static final class Create extends SessionCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the topic")
        String name;

        @Option(names = "--partitions", paramLabel = "N", description = "partition count (default: the cluster's)")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "copies of each partition (default: the cluster's)")
        Integer replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "a topic config, e.g. retention.ms=60000;"
                + " repeatable")
        Map<String, String> configs = new LinkedHashMap<>();

        Create(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            CreateTopicRequest.Builder request = CreateTopicRequest.newBuilder().setName(name).putAllConfigs(configs);
            if (partitions != null) {
                request.setPartitions(positive("--partitions", partitions));
            }
            if (replicationFactor != null) {
                request.setReplicationFactor(positive("--replication-factor", replicationFactor));
            }
            TopicDescription topic = admin(AdminClient.WRITE).createTopic(request.build());
            printer().print(Views.json(topic), "Created topic " + topic.getName() + ".\n" + Views.text(topic));
        }

        private static int positive(String flag, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(flag + " must be at least 1, got " + value);
            }
            return value;
        }
    }

    @Command(name = "delete", description = "Delete a topic and its data.")
    static final class Delete extends SessionCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "the topic")
        String name;

        Delete(CliSession session) {
            super(session);
        }

        @Override
        public void run() {
            DeleteTopicResponse deleted = admin(AdminClient.WRITE).deleteTopic(DeleteTopicRequest.newBuilder()
                    .setName(name).build());
            printer().print(Views.json(deleted), Views.text(deleted));
        }
    }
}
