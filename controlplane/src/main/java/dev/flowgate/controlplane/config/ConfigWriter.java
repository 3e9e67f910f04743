package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link FlowgateConfig} as YAML with every setting spelled out (defaults included), in
 * the order of config/flowgate.yaml; {@link ConfigLoader} reads the text back equal to the config.
 */
public final class ConfigWriter {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .stringQuotingChecker(new QuoteUnlessReadBack())
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  private ConfigWriter() {}

  /** {@code config} as YAML. */
  public static String write(FlowgateConfig config) {
    Map<String, Object> root = new LinkedHashMap<>();
    List<Object> interfaces = new ArrayList<>();
    for (InterfaceConfig i : config.interfaces()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", i.name());
      m.put("mode", i.mode().label());
      m.put("direction", i.direction().label());
      m.put("sampling", i.sampling());
      if (i.recordMacs()) {
        m.put("record-macs", true);
      }
      interfaces.add(m);
    }
    root.put("interfaces", interfaces);

    FlowsConfig f = config.flows();
    Map<String, Object> flows = new LinkedHashMap<>();
    flows.put("max-flows", f.maxFlows());
    flows.put("sweep-interval", DurationFormat.format(f.sweepInterval()));
    flows.put("active-timeout", DurationFormat.format(f.activeTimeout()));
    flows.put("idle-timeout", DurationFormat.format(f.idleTimeout()));
    root.put("flows", flows);

    Map<String, Object> dataplane = new LinkedHashMap<>();
    dataplane.put("pin-path", config.dataplane().pinPath().toString());
    dataplane.put("keep-attached", config.dataplane().keepAttached());
    dataplane.put("snap-length", config.dataplane().snapLength());
    root.put("dataplane", dataplane);

    root.put("state-directory", config.stateDirectory().toString());

    Map<String, Object> export = new LinkedHashMap<>();
    List<Object> collectors = new ArrayList<>();
    for (CollectorConfig c : config.export().ipfix()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("collector", c.collector().toString());
      m.put("protocol", c.protocol().label());
      m.put("transport", c.transport().label());
      m.put("template-refresh", DurationFormat.format(c.templateRefresh()));
      m.put("template-refresh-packets", c.templateRefreshPackets());
      m.put("max-message-size", c.maxMessageSize());
      m.put("observation-domain-id", c.observationDomainId());
      m.put("sequence-counts-options", c.sequenceCountsOptions());
      m.put("packet-samples", c.packetSamples());
      m.put("samples-observation-domain-id", c.samplesObservationDomainId());
      collectors.add(m);
    }
    export.put("ipfix", collectors);
    config
        .export()
        .arrow()
        .ifPresent(
            a -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("directory", a.directory().toString());
              m.put("rotate-interval", DurationFormat.format(a.rotateInterval()));
              m.put("max-files", a.maxFiles());
              export.put("arrow", m);
            });
    List<Object> kafka = new ArrayList<>();
    for (KafkaExportConfig k : config.export().kafka()) {
      kafka.add(kafka(k));
    }
    if (!kafka.isEmpty()) {
      export.put("kafka", kafka);
    }
    root.put("export", export);

    Map<String, Object> api = new LinkedHashMap<>();
    api.put("listen", config.api().listen().toString());
    config.api().tokenFile().ifPresent(p -> api.put("token-file", p.toString()));
    config
        .api()
        .tls()
        .ifPresent(
            t -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("cert", t.cert().toString());
              m.put("key", t.key().toString());
              api.put("tls", m);
            });
    root.put("api", api);

    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("enabled", config.metrics().enabled());
    metrics.put("public", config.metrics().open());
    root.put("metrics", metrics);
    root.put("logging", Map.of("level", config.logging().level().label()));
    root.put("alerts", alerts(config.alerts()));
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> kafka(KafkaExportConfig k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bootstrap-servers", k.bootstrapServers());
    m.put("topic", k.topic());
    m.put("format", k.format().label());
    m.put("key", k.key().label());
    m.put("compression", k.compression().label());
    m.put("client-id", k.clientId());
    m.put("linger", DurationFormat.format(k.linger()));
    m.put("batch-size", k.batchSize());
    m.put("max-request-size", k.maxRequestSize());
    m.put("buffer-memory", k.bufferMemory());
    m.put("queue-size", k.queueSize());
    m.put("delivery-timeout", DurationFormat.format(k.deliveryTimeout()));
    m.put("observation-domain-id", k.observationDomainId());
    k.tls()
        .ifPresent(
            t -> {
              Map<String, Object> tls = new LinkedHashMap<>();
              tls.put("ca", t.ca().toString());
              t.cert().ifPresent(p -> tls.put("cert", p.toString()));
              t.key().ifPresent(p -> tls.put("key", p.toString()));
              m.put("tls", tls);
            });
    k.sasl()
        .ifPresent(
            s -> {
              Map<String, Object> sasl = new LinkedHashMap<>();
              sasl.put("mechanism", "SCRAM-SHA-512");
              sasl.put("username", s.username());
              sasl.put("password-file", s.passwordFile().toString());
              m.put("sasl", sasl);
            });
    return m;
  }

  private static Map<String, Object> alerts(AlertsConfig a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hold-down", DurationFormat.format(a.holdDown()));
    m.put("extra-amplification-ports", a.extraAmplificationPorts());
    m.put("allow", a.allow().stream().map(Cidr::text).toList());
    m.put("thresholds", thresholds(a.thresholds()));
    List<Object> groups = new ArrayList<>();
    for (HostgroupConfig g : a.hostgroups()) {
      Map<String, Object> gm = new LinkedHashMap<>();
      gm.put("name", g.name());
      gm.put("networks", g.networks().stream().map(Cidr::text).toList());
      gm.put("thresholds", thresholds(g.thresholds()));
      groups.add(gm);
    }
    m.put("hostgroups", groups);
    Map<String, Object> sinks = new LinkedHashMap<>();
    sinks.put("log", a.sinks().log());
    a.sinks()
        .alertmanager()
        .ifPresent(
            am -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("url", am.url().toString());
              x.put("resend-interval", DurationFormat.format(am.resendInterval()));
              sinks.put("alertmanager", x);
            });
    a.sinks()
        .webhook()
        .ifPresent(
            w -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("url", w.url().toString());
              x.put("queue-size", w.queueSize());
              x.put("max-retries", w.maxRetries());
              sinks.put("webhook", x);
            });
    m.put("sinks", sinks);
    return m;
  }

  private static Map<String, Object> thresholds(Map<Detector, AlertLevels> levels) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Detector d : Detector.values()) {
      AlertLevels l = levels.get(d);
      if (l == null) {
        continue;
      }
      Map<String, Object> x = new LinkedHashMap<>();
      if (l.warning() > 0) {
        x.put("warning", d.unit().format(l.warning()));
      }
      if (l.critical() > 0) {
        x.put("critical", d.unit().format(l.critical()));
      }
      m.put(d.label(), x);
    }
    return m;
  }
}
