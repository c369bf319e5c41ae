package io.chronik.server.it;

import static io.chronik.server.it.AdminTopicsTest.assertFailsWith;
import static io.chronik.server.it.AdminTopicsTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DescribeConfigs, IncrementalAlterConfigs and AlterConfigs through the real {@link Admin} client. */
class AdminConfigsTest {

    @RegisterExtension
    static final ChronikBroker broker = new ChronikBroker();
    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = broker.admin();
    }

    @AfterAll
    static void disconnect() {
        admin.close(Duration.ofSeconds(5));
    }

    @Test
    void brokerConfigsAreDescribed() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config config = get(admin.describeConfigs(List.of(node)).all()).get(node);
        assertThat(config.get("broker.id").value()).isEqualTo("1");
        assertThat(config.get("num.partitions").value()).isEqualTo("3");
        assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("true");
    }

    @Test
    void incrementalAlterSetsAndDeletesOverrides() throws Exception {
        admin.createTopics(List.of(new NewTopic("tuned", 1, (short) 1))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");
        String defaultRetention = describe(topic).get("retention.ms").value();

        get(admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "120000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET))))
                .all());
        Config set = describe(topic);
        assertThat(set.get("retention.ms").value()).isEqualTo("120000");
        assertThat(set.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(set.get("max.message.bytes").value()).isEqualTo("2000000");

        get(admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all());
        Config deleted = describe(topic);
        assertThat(deleted.get("retention.ms").value()).isEqualTo(defaultRetention);
        assertThat(deleted.get("retention.ms").isDefault()).isTrue();
        assertThat(deleted.get("max.message.bytes").value()).as("untouched override stays").isEqualTo("2000000");

        assertFailsWith(admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.key", "1"), AlterConfigOp.OpType.SET)))).all(),
                InvalidConfigurationException.class);
        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "missing");
        assertFailsWith(admin.incrementalAlterConfigs(Map.of(missing, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))).all(),
                UnknownTopicOrPartitionException.class);
    }

    @Test
    @SuppressWarnings("deprecation")
    void alterConfigsReplacesTheWholeOverrideSet() throws Exception {
        admin.createTopics(List.of(new NewTopic("replaced", 1, (short) 1)
                .configs(Map.of("retention.ms", "50000")))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replaced");

        get(admin.alterConfigs(Map.of(topic, new Config(List.of(new ConfigEntry("segment.bytes", "1048576")))))
                .all());
        Config after = describe(topic);
        assertThat(after.get("segment.bytes").value()).isEqualTo("1048576");
        assertThat(after.get("segment.bytes").isDefault()).isFalse();
        assertThat(after.get("retention.ms").isDefault()).as("legacy AlterConfigs drops unlisted overrides").isTrue();
    }

    private static Config describe(ConfigResource resource) throws Exception {
        return get(admin.describeConfigs(List.of(resource)).all()).get(resource);
    }
}
