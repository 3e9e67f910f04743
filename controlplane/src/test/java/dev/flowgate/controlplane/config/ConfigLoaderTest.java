package dev.flowgate.controlplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.collector.TransportProtocol;
import java.net.URISyntaxException;
import java.nio.file.Files;
import dev.flowgate.exporters.kafka.KafkaCompression;
import dev.flowgate.exporters.kafka.KafkaFormat;
import dev.flowgate.exporters.kafka.KafkaKey;
import dev.flowgate.exporters.kafka.KafkaSinkOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shipped configs load with the values they document, and every config round-trips. */
@Timeout(30)
class ConfigLoaderTest {

  @Test
  void documentedGatewayConfigLoads() throws Exception {
    FlowgateConfig c = ConfigLoader.load(RepoFiles.find("config/flowgate.yaml"));

    assertThat(c.interfaces())
        .containsExactly(
            new InterfaceConfig("eth1", AttachMode.XDP, Direction.INGRESS, 1000),
            new InterfaceConfig("/^wg[0-9]+$/", AttachMode.TC, Direction.BOTH, 0));
    assertThat(c.interfaces().get(1).matches("wg12")).isTrue();
    assertThat(c.interfaces().get(1).matches("wgx")).isFalse();
    assertThat(c.flows()).isEqualTo(FlowsConfig.defaults());
    assertThat(c.dataplane()).isEqualTo(DataplaneConfig.defaults());
    assertThat(c.stateDirectory()).isEqualTo(FlowgateConfig.DEFAULT_STATE_DIRECTORY);
    assertThat(c.export().ipfix())
        .containsExactly(CollectorConfig.of(new HostPort("127.0.0.1", 4739)));
    assertThat(c.export().arrow())
        .contains(ArrowExportConfig.of(Path.of("/var/lib/flowgate/flows")));
    assertThat(c.api())
        .isEqualTo(
            new ApiConfig(
                ApiConfig.DEFAULT_LISTEN,
                Optional.of(Path.of("/etc/flowgate/api-token")),
                Optional.empty()));
    assertThat(c.metrics()).isEqualTo(MetricsConfig.defaults());
  }

  @Test
  void labConfigCountsOnTheLabVethOnly() throws Exception {
    FlowgateConfig c = ConfigLoader.load(RepoFiles.find("config/lab.yaml"));

    assertThat(c.interfaces())
        .containsExactly(new InterfaceConfig("fg-lab0", AttachMode.XDP, Direction.BOTH, 100));
    assertThat(c.flows())
        .isEqualTo(
            new FlowsConfig(
                FlowsConfig.DEFAULT_MAX_FLOWS,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                Duration.ofSeconds(15)));
    assertThat(c.dataplane().pinPath()).isEqualTo(Path.of("/sys/fs/bpf/flowgate-lab"));
    assertThat(c.stateDirectory()).isEqualTo(Path.of("/tmp/flowgate-lab/state"));
    CollectorConfig rfc = CollectorConfig.of(new HostPort("127.0.0.1", 4739));
    assertThat(c.export().ipfix())
        .containsExactly(
            new CollectorConfig(
                rfc.collector(),
                rfc.protocol(),
                rfc.transport(),
                rfc.templateRefresh(),
                rfc.templateRefreshPackets(),
                rfc.maxMessageSize(),
                rfc.observationDomainId(),
                false)); // the lab's collector is nfcapd
    assertThat(c.export().arrow()).isEmpty();
    assertThat(c.api().listen()).isEqualTo(new HostPort("127.0.0.1", 9740));
    assertThat(c.api().tokenFile()).isEmpty();
  }

  @Test
  void minimalConfigTakesEveryDefault() throws Exception {
    FlowgateConfig c = ConfigLoader.load(resource("minimal.yaml"));

    assertThat(c).isEqualTo(FlowgateConfig.defaults(List.of(InterfaceConfig.of("eth0"))));
    assertThat(c.interfaces().get(0).sampling()).isEqualTo(InterfaceConfig.DEFAULT_SAMPLING);
    assertThat(c.flows().maxFlows()).isEqualTo(262_144);
    assertThat(c.api().listen().toString()).isEqualTo("127.0.0.1:9740");
  }

  @Test
  void everyKeySetLoadsAsWritten() throws Exception {
    FlowgateConfig c = ConfigLoader.load(resource("everything.yaml"));

    assertThat(c.interfaces()).hasSize(5);
    assertThat(c.interfaces().get(2).name()).isEqualTo("1234");
    assertThat(c.interfaces().get(3).name()).isEqualTo("null");
    assertThat(c.flows().sweepInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.stateDirectory()).isEqualTo(Path.of("/tmp/fg state"));
    CollectorConfig tcp = c.export().ipfix().get(0);
    assertThat(tcp.collector()).isEqualTo(new HostPort("2001:db8::1", 4739));
    assertThat(tcp.transport()).isEqualTo(TransportProtocol.TCP);
    assertThat(tcp.observationDomainId()).isEqualTo(4_294_967_295L);
    assertThat(c.export().ipfix().get(1).collector().host()).isEqualTo("collector.example.net");
    assertThat(c.api().listen()).isEqualTo(new HostPort("0.0.0.0", 0));
    assertThat(c.api().tls())
        .contains(
            new TlsConfig(Path.of("/etc/flowgate/cert.pem"), Path.of("/etc/flowgate/key.pem")));
    assertThat(c.metrics().enabled()).isFalse();
    KafkaExportConfig k = c.export().kafka().get(0);
    assertThat(k.bootstrapServers()).containsExactly("kafka1.example.net:9093", "[2001:db8::9]:9093");
    assertThat(k.key()).isEqualTo(KafkaKey.FLOW);
    assertThat(k.compression()).isEqualTo(KafkaCompression.ZSTD);
    assertThat(k.sasl().orElseThrow().passwordFile()).isEqualTo(Path.of("/etc/flowgate/kafka-password"));
    assertThat(k.sinkName()).isEqualTo("kafka:flows.gateway-1@kafka1.example.net:9093");
    KafkaExportConfig arrow = c.export().kafka().get(1);
    assertThat(arrow.format()).isEqualTo(KafkaFormat.ARROW);
    assertThat(arrow.compression()).isEqualTo(KafkaSinkOptions.DEFAULT_COMPRESSION);
    assertThat(arrow.options().compression().label()).isEqualTo("lz4");
  }

  @Test
  void everyConfigRoundTripsThroughYaml() throws Exception {
    List<Path> files =
        List.of(
            RepoFiles.find("config/flowgate.yaml"),
            RepoFiles.find("config/lab.yaml"),
            resource("minimal.yaml"),
            resource("everything.yaml"));
    for (Path file : files) {
      FlowgateConfig c = ConfigLoader.load(file);
      String yaml = ConfigWriter.write(c);
      assertThat(ConfigLoader.parse(yaml, "written.yaml")).as(file + "\n" + yaml).isEqualTo(c);
      assertThat(c.toYaml()).isEqualTo(yaml);
    }
  }

  @Test
  void namesThatLookLikeOtherYamlTypesRoundTrip() throws Exception {
    List<String> names =
        List.of(
            "yes", "no", "on", "off", "y", "n", "~", "null", "true", "False", "0x10", "0o7", "010",
            "1e3", "1_000", ".5", ".inf", ".nan", "-", "-1", "*x", "&x", "!x", "%x", "@x", "`x",
            "'x'", "\"x\"", "#x", "x#y", "x,y", "[x]", "{x}", "?x", ">x", "|x", "---", "...", "=",
            "<<");
    List<InterfaceConfig> interfaces = names.stream().map(InterfaceConfig::of).toList();
    FlowgateConfig c = FlowgateConfig.defaults(interfaces);

    assertThat(ConfigLoader.parse(c.toYaml(), "written.yaml")).isEqualTo(c);
  }

  @Test
  void writtenYamlSpellsOutDefaults() throws Exception {
    String yaml = ConfigLoader.load(resource("minimal.yaml")).toYaml();

    assertThat(yaml)
        .isEqualTo(
            """
            interfaces:
              - name: eth0
                mode: xdp
                direction: ingress
                sampling: 1000
            flows:
              max-flows: 262144
              sweep-interval: 1s
              active-timeout: 1m
              idle-timeout: 15s
            dataplane:
              pin-path: /sys/fs/bpf/flowgate
              keep-attached: true
              snap-length: 128
            state-directory: /var/lib/flowgate
            export:
              ipfix: []
            api:
              listen: 127.0.0.1:9740
            metrics:
              enabled: true
              public: false
            logging:
              level: info
            alerts:
              hold-down: 30s
              extra-amplification-ports: []
              allow: []
              thresholds:
                syn-flood:
                  critical: 20000pps
                udp-flood:
                  critical: 200000pps
                icmp-flood:
                  critical: 20000pps
                amplification:
                  critical: 10000pps
                pps: {}
                bps: {}
                flows: {}
              hostgroups: []
              sinks:
                log: true
            """);
  }

  @Test
  void sectionsWithNoValueTakeDefaults() throws Exception {
    FlowgateConfig c =
        ConfigLoader.parse("interfaces:\nflows:\nexport:\n  ipfix:\nmetrics:\n", "t.yaml");

    assertThat(c).isEqualTo(FlowgateConfig.defaults(List.of()));
  }

  @Test
  void errorsNameTheFileAsGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gw.yaml");
    Files.writeString(file, "interfaces:\n  - name: eth0\n    mode: xpd\n");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .hasMessage(
            file + ":3:11: interfaces[0].mode: \"xpd\" is not a mode (use xdp, xdp-generic or tc)");
  }

  @Test
  void missingFileIsAConfigError(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": cannot read: no such file");
  }

  @Test
  void fileThatIsNotUtf8IsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});

    assertThatThrownBy(() -> ConfigLoader.load(file))
        .hasMessage(file + ": cannot read: not UTF-8 text");
  }

  @Test
  void recordsCheckTheirRulesWhenBuiltInCode() {
    assertThatThrownBy(
            () ->
                new FlowsConfig(
                    2048, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(20)))
        .isInstanceOfSatisfying(
            InvalidSettingException.class,
            e -> {
              assertThat(e.keys()).containsExactly("idle-timeout", "active-timeout");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "idle-timeout: idle-timeout (20s) must not be longer than active-timeout"
                          + " (10s)");
            });
    assertThatThrownBy(() -> InterfaceConfig.of("eth0").withSampling(-5))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("sampling: -5 is out of range (0..2147483647)");
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
  }
}
