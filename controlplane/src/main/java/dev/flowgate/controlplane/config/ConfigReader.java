package dev.flowgate.controlplane.config;

import dev.flowgate.controlplane.api.ApiServerOptions;
import dev.flowgate.controlplane.cache.FlowCacheOptions;
import dev.flowgate.exporters.arrow.ArrowFileSinkOptions;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.ExportProtocol;
import dev.flowgate.exporters.collector.TransportProtocol;
import dev.flowgate.exporters.kafka.KafkaCompression;
import dev.flowgate.exporters.kafka.KafkaFormat;
import dev.flowgate.exporters.kafka.KafkaKey;
import dev.flowgate.exporters.kafka.KafkaSinkOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the {@link ConfigNode} tree of a config file into a {@link FlowgateConfig}: one method per
 * section, each refusing unknown keys, reading typed values with their defaults, and letting the
 * record's constructor check its rules.
 */
final class ConfigReader {

  /** The top-level keys, in the order config/flowgate.yaml documents them. */
  static final List<String> TOP_LEVEL =
      List.of(
          "interfaces",
          "flows",
          "dataplane",
          "state-directory",
          "export",
          "api",
          "metrics",
          "logging",
          "alerts");

  private ConfigReader() {}

  /** The config in {@code root}, the parsed document of {@code file}. */
  static FlowgateConfig read(String file, ConfigNode root) throws ConfigException {
    if (!(root instanceof ConfigNode.Mapping)) {
      throw new ConfigException(
          file,
          root.line(),
          root.column(),
          "",
          "expected a mapping of settings (interfaces:, flows:, ...), got " + root.describe());
    }
    Section top = Section.of(file, "", root, "a mapping");
    for (String key : top.keys()) {
      ConfigNode.Entry entry = top.entry(key).orElseThrow();
      if (!TOP_LEVEL.contains(key)) {
        List<String> known = new ArrayList<>(TOP_LEVEL);
        throw top.unknownKey(key, entry, known);
      }
    }
    List<InterfaceConfig> interfaces = interfaces(top);
    FlowsConfig flows = flows(top.section("flows"));
    DataplaneConfig dataplane = dataplane(top.section("dataplane"));
    var stateDirectory = top.path("state-directory", FlowgateConfig.DEFAULT_STATE_DIRECTORY);
    ExportConfig export = export(top.section("export"));
    ApiConfig api = api(top.section("api"));
    MetricsConfig metrics = metrics(top.section("metrics"));
    LoggingConfig logging = logging(top.section("logging"));
    AlertsConfig alerts = AlertsConfigReader.read(top.section("alerts"));
    return top.build(
        () ->
            new FlowgateConfig(
                interfaces,
                flows,
                dataplane,
                stateDirectory,
                export,
                api,
                metrics,
                logging,
                alerts));
  }

  private static List<InterfaceConfig> interfaces(Section top) throws ConfigException {
    List<InterfaceConfig> result = new ArrayList<>();
    List<ConfigNode> items = top.list("interfaces");
    for (int i = 0; i < items.size(); i++) {
      ConfigNode item = items.get(i);
      String path = "interfaces[" + i + "]";
      if (item instanceof ConfigNode.Scalar s && !s.isNull()) {
        throw new ConfigException(
            top.file(),
            s.line(),
            s.column(),
            path,
            "expected a mapping, got " + s.describe() + " (write - name: " + s.text() + ")");
      }
      Section s = Section.of(top.file(), path, item, "a mapping");
      s.allowOnly("name", "mode", "direction", "sampling", "record-macs");
      String name = s.requiredString("name", "is required (an interface name, or /regex/)");
      AttachMode mode =
          s.choice(
              "mode", InterfaceConfig.DEFAULT_MODE, AttachMode.values(), AttachMode::label, "mode");
      Direction direction =
          s.choice(
              "direction",
              InterfaceConfig.DEFAULT_DIRECTION,
              Direction.values(),
              Direction::label,
              "direction");
      int sampling =
          s.integer(
              "sampling",
              InterfaceConfig.DEFAULT_SAMPLING,
              InterfaceConfig.MIN_SAMPLING,
              InterfaceConfig.MAX_SAMPLING);
      boolean recordMacs = s.bool("record-macs", InterfaceConfig.DEFAULT_RECORD_MACS);
      result.add(s.build(() -> new InterfaceConfig(name, mode, direction, sampling, recordMacs)));
    }
    return result;
  }

  private static FlowsConfig flows(Section s) throws ConfigException {
    s.allowOnly("max-flows", "sweep-interval", "active-timeout", "idle-timeout");
    int maxFlows =
        s.integer(
            "max-flows",
            FlowsConfig.DEFAULT_MAX_FLOWS,
            FlowsConfig.MIN_MAX_FLOWS,
            FlowsConfig.MAX_MAX_FLOWS);
    var sweep = s.duration("sweep-interval", FlowsConfig.DEFAULT_SWEEP_INTERVAL);
    var active = s.duration("active-timeout", FlowCacheOptions.DEFAULT_ACTIVE_TIMEOUT);
    var idle = s.duration("idle-timeout", FlowCacheOptions.DEFAULT_IDLE_TIMEOUT);
    return s.build(() -> new FlowsConfig(maxFlows, sweep, active, idle));
  }

  private static DataplaneConfig dataplane(Section s) throws ConfigException {
    s.allowOnly("pin-path", "keep-attached", "snap-length");
    var pinPath = s.path("pin-path", DataplaneConfig.DEFAULT_PIN_PATH);
    boolean keep = s.bool("keep-attached", DataplaneConfig.DEFAULT_KEEP_ATTACHED);
    int snap =
        s.integer(
            "snap-length",
            DataplaneConfig.DEFAULT_SNAP_LENGTH,
            DataplaneConfig.MIN_SNAP_LENGTH,
            DataplaneConfig.MAX_SNAP_LENGTH);
    return s.build(() -> new DataplaneConfig(pinPath, keep, snap));
  }

  private static ExportConfig export(Section s) throws ConfigException {
    s.allowOnly("ipfix", "arrow", "spool-limit", "removed-collector-timeout", "kafka");
    List<CollectorConfig> collectors = new ArrayList<>();
    List<ConfigNode> items = s.list("ipfix");
    for (int i = 0; i < items.size(); i++) {
      collectors.add(
          collector(
              Section.of(s.file(), s.path() + ".ipfix[" + i + "]", items.get(i), "a mapping")));
    }
    Optional<ArrowExportConfig> arrow = Optional.empty();
    if (s.node("arrow").isPresent()) {
      arrow = Optional.of(arrow(s.section("arrow")));
    }
    Optional<ArrowExportConfig> arrowConfig = arrow;
    long spoolLimit =
        s.integer(
            "spool-limit", ExportConfig.DEFAULT_SPOOL_LIMIT, 0L, ExportConfig.MAX_SPOOL_LIMIT);
    var removedTimeout =
        s.duration("removed-collector-timeout", ExportConfig.DEFAULT_REMOVED_COLLECTOR_TIMEOUT);
    List<KafkaExportConfig> kafka = new ArrayList<>();
    List<ConfigNode> topics = s.list("kafka");
    for (int i = 0; i < topics.size(); i++) {
      kafka.add(
          kafka(Section.of(s.file(), s.path() + ".kafka[" + i + "]", topics.get(i), "a mapping")));
    }
    return s.build(
        () -> new ExportConfig(collectors, arrowConfig, spoolLimit, removedTimeout, kafka));
  }

  private static KafkaExportConfig kafka(Section s) throws ConfigException {
    s.allowOnly(
        "bootstrap-servers",
        "topic",
        "format",
        "key",
        "compression",
        "client-id",
        "linger",
        "batch-size",
        "max-request-size",
        "buffer-memory",
        "queue-size",
        "delivery-timeout",
        "observation-domain-id",
        "tls",
        "sasl");
    s.require("bootstrap-servers", "is required (a list of host:port)");
    List<String> servers = s.stringList("bootstrap-servers", "host:port");
    String topic = s.requiredString("topic", "is required (the Kafka topic, which must exist)");
    KafkaFormat format =
        s.choice(
            "format",
            KafkaSinkOptions.DEFAULT_FORMAT,
            KafkaFormat.values(),
            KafkaFormat::label,
            "format");
    KafkaKey key =
        s.choice("key", KafkaSinkOptions.DEFAULT_KEY, KafkaKey.values(), KafkaKey::label, "key");
    KafkaCompression compression =
        s.choice(
            "compression",
            KafkaSinkOptions.DEFAULT_COMPRESSION,
            KafkaCompression.values(),
            KafkaCompression::label,
            "compression");
    String clientId = s.string("client-id", KafkaSinkOptions.DEFAULT_CLIENT_ID);
    var linger = s.duration("linger", KafkaSinkOptions.DEFAULT_LINGER);
    int batchSize =
        s.integer("batch-size", KafkaSinkOptions.DEFAULT_BATCH_SIZE, 1024, KafkaSinkOptions.MAX_SIZE);
    int maxRequestSize =
        s.integer(
            "max-request-size",
            KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE,
            KafkaSinkOptions.MIN_MAX_REQUEST_SIZE,
            KafkaSinkOptions.MAX_SIZE);
    long bufferMemory =
        s.integer(
            "buffer-memory",
            KafkaSinkOptions.DEFAULT_BUFFER_MEMORY,
            KafkaSinkOptions.MIN_MEMORY,
            KafkaSinkOptions.MAX_MEMORY);
    long queueSize =
        s.integer(
            "queue-size",
            KafkaSinkOptions.DEFAULT_QUEUE_SIZE,
            KafkaSinkOptions.MIN_MEMORY,
            KafkaSinkOptions.MAX_MEMORY);
    var deliveryTimeout = s.duration("delivery-timeout", KafkaSinkOptions.DEFAULT_DELIVERY_TIMEOUT);
    long domain =
        s.integer(
            "observation-domain-id",
            KafkaSinkOptions.DEFAULT_OBSERVATION_DOMAIN_ID,
            0L,
            KafkaSinkOptions.MAX_OBSERVATION_DOMAIN_ID);
    Optional<KafkaExportConfig.Tls> tls = Optional.empty();
    if (s.node("tls").isPresent()) {
      Section t = s.section("tls");
      t.allowOnly("ca", "cert", "key");
      t.require("ca", "is required (PEM file of the CA certificates the brokers are checked with)");
      var ca = t.path("ca", null);
      var cert = t.optionalPath("cert");
      var clientKey = t.optionalPath("key");
      tls = Optional.of(t.build(() -> new KafkaExportConfig.Tls(ca, cert, clientKey)));
    }
    Optional<KafkaExportConfig.Scram> sasl = Optional.empty();
    if (s.node("sasl").isPresent()) {
      Section a = s.section("sasl");
      a.allowOnly("mechanism", "username", "password-file");
      a.choice("mechanism", Mechanism.SCRAM_SHA_512, Mechanism.values(), m -> m.label, "mechanism");
      String user = a.requiredString("username", "is required (the SCRAM user)");
      a.require("password-file", "is required (a file holding the password, mode 0640 or tighter)");
      var passwordFile = a.path("password-file", null);
      sasl = Optional.of(a.build(() -> new KafkaExportConfig.Scram(user, passwordFile)));
    }
    Optional<KafkaExportConfig.Tls> tlsConfig = tls;
    Optional<KafkaExportConfig.Scram> saslConfig = sasl;
    return s.build(
        () ->
            new KafkaExportConfig(
                servers,
                topic,
                format,
                key,
                compression,
                clientId,
                linger,
                batchSize,
                maxRequestSize,
                bufferMemory,
                queueSize,
                deliveryTimeout,
                domain,
                tlsConfig,
                saslConfig));
  }

  /** The SASL mechanisms export.kafka[].sasl takes: SCRAM-SHA-512 only. */
  private enum Mechanism {
    SCRAM_SHA_512("SCRAM-SHA-512");

    final String label;

    Mechanism(String label) {
      this.label = label;
    }
  }

  private static CollectorConfig collector(Section s) throws ConfigException {
    s.allowOnly(
        "collector",
        "protocol",
        "transport",
        "template-refresh",
        "template-refresh-packets",
        "max-message-size",
        "observation-domain-id",
        "sequence-counts-options",
        "packet-samples",
        "samples-observation-domain-id");
    s.require("collector", "is required (host:port of the collector)");
    HostPort collector = s.hostPort("collector", null);
    ExportProtocol protocol =
        s.choice(
            "protocol",
            CollectorOptions.DEFAULT_PROTOCOL,
            ExportProtocol.values(),
            ExportProtocol::label,
            "protocol");
    TransportProtocol transport =
        s.choice(
            "transport",
            CollectorOptions.DEFAULT_TRANSPORT,
            TransportProtocol.values(),
            TransportProtocol::label,
            "transport");
    var refresh = s.duration("template-refresh", CollectorOptions.DEFAULT_TEMPLATE_REFRESH);
    int refreshPackets =
        s.integer(
            "template-refresh-packets",
            CollectorOptions.DEFAULT_TEMPLATE_REFRESH_PACKETS,
            CollectorOptions.MIN_TEMPLATE_REFRESH_PACKETS,
            CollectorOptions.MAX_TEMPLATE_REFRESH_PACKETS);
    int maxMessageSize =
        s.integer(
            "max-message-size",
            CollectorOptions.DEFAULT_MAX_MESSAGE_SIZE,
            CollectorOptions.MIN_MAX_MESSAGE_SIZE,
            CollectorOptions.MAX_MAX_MESSAGE_SIZE);
    long domain =
        s.integer(
            "observation-domain-id",
            CollectorOptions.DEFAULT_OBSERVATION_DOMAIN_ID,
            0L,
            CollectorOptions.MAX_OBSERVATION_DOMAIN_ID);
    boolean countsOptions =
        s.bool("sequence-counts-options", CollectorOptions.DEFAULT_OPTIONS_RECORDS_IN_SEQUENCE);
    boolean packetSamples = s.bool("packet-samples", CollectorConfig.DEFAULT_PACKET_SAMPLES);
    long samplesDomain =
        s.integer(
            "samples-observation-domain-id",
            CollectorConfig.DEFAULT_SAMPLES_OBSERVATION_DOMAIN_ID,
            0L,
            CollectorOptions.MAX_OBSERVATION_DOMAIN_ID);
    return s.build(
        () ->
            new CollectorConfig(
                collector,
                protocol,
                transport,
                refresh,
                refreshPackets,
                maxMessageSize,
                domain,
                countsOptions,
                packetSamples,
                samplesDomain));
  }

  private static ArrowExportConfig arrow(Section s) throws ConfigException {
    s.allowOnly("directory", "rotate-interval", "max-files");
    s.require("directory", "is required (omit export.arrow to write no Arrow files)");
    var directory = s.path("directory", null);
    var rotate = s.duration("rotate-interval", ArrowFileSinkOptions.DEFAULT_ROTATE_INTERVAL);
    int maxFiles =
        s.integer(
            "max-files",
            ArrowFileSinkOptions.DEFAULT_MAX_FILES,
            ArrowFileSinkOptions.MIN_MAX_FILES,
            ArrowFileSinkOptions.MAX_MAX_FILES);
    return s.build(() -> new ArrowExportConfig(directory, rotate, maxFiles));
  }

  private static ApiConfig api(Section s) throws ConfigException {
    s.allowOnly("listen", "token-file", "tls");
    HostPort listen = s.hostPort("listen", ApiConfig.DEFAULT_LISTEN);
    var tokenFile = s.optionalPath("token-file");
    Optional<TlsConfig> tls = Optional.empty();
    if (s.node("tls").isPresent()) {
      Section t = s.section("tls");
      t.allowOnly("cert", "key");
      t.require("cert", "is required (PEM certificate file)");
      t.require("key", "is required (PEM private key file)");
      var cert = t.path("cert", null);
      var key = t.path("key", null);
      tls = Optional.of(t.build(() -> new TlsConfig(cert, key)));
    }
    Optional<TlsConfig> tlsConfig = tls;
    return s.build(() -> new ApiConfig(listen, tokenFile, tlsConfig));
  }

  private static MetricsConfig metrics(Section s) throws ConfigException {
    s.allowOnly("enabled", "public");
    boolean enabled = s.bool("enabled", MetricsConfig.DEFAULT_ENABLED);
    boolean open = s.bool("public", ApiServerOptions.DEFAULT_METRICS_PUBLIC);
    return s.build(() -> new MetricsConfig(enabled, open));
  }

  private static LoggingConfig logging(Section s) throws ConfigException {
    s.allowOnly("level");
    LogLevel level =
        s.choice(
            "level", LoggingConfig.DEFAULT_LEVEL, LogLevel.values(), LogLevel::label, "log level");
    return s.build(() -> new LoggingConfig(level));
  }
}
