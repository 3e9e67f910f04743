package dev.flowgate.controlplane.metrics;

import dev.flowgate.controlplane.api.MetricsScrape;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryPoolAllocationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * flowgate's Prometheus registry and its rendering for {@code /metrics}.
 *
 * <p>Every flowgate metric is a callback collector over a {@link MetricsSource}: a scrape reads
 * what the last sweep published (nothing is incremented per packet), and the series are bounded by
 * the configuration (interfaces, collectors, sinks), never by the traffic: no per-flow or
 * per-address label. The client's standard JVM and process metrics ({@code jvm_*}, {@code
 * process_*}) are registered beside them.
 *
 * <pre>{@code
 * FlowgateMetrics metrics = new FlowgateMetrics(source, true);
 * new ApiServer(vertx, backend, options, MetricsEndpoint.fromScrape(metrics::scrape));
 * }</pre>
 */
public final class FlowgateMetrics {

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private volatile int lastSize = 16 * 1024;

  /**
   * Registers every flowgate metric over {@code source}.
   *
   * @param jvm also register the client's JVM and process metrics
   */
  public FlowgateMetrics(MetricsSource source, boolean jvm) {
    Info.builder()
        .name("flowgate_build_info")
        .help("The flowgate version running (value 1)")
        .labelNames("version")
        .register(registry)
        .addLabelValues(source.version());
    TrafficMetrics.register(registry, source);
    SweepMetrics.register(registry, source);
    ExportMetrics.register(registry, source);
    SampleMetrics.register(registry, source);
    SinkMetrics.register(registry, source);
    KafkaSinkMetrics.register(registry, source);
    AlertMetrics.register(registry, source);
    if (jvm) {
      registerJvm(registry);
    }
  }

  /**
   * The client's standard JVM and process metrics, as {@code JvmMetrics.builder()} registers them,
   * less {@code JvmNativeMemoryMetrics}: it runs the {@code VM.native_memory} diagnostic command on
   * every scrape, which costs about as much as all of flowgate's own series together, and reports
   * nothing unless the JVM runs with {@code -XX:NativeMemoryTracking}.
   */
  private static void registerJvm(PrometheusRegistry registry) {
    JvmThreadsMetrics.builder().register(registry);
    JvmBufferPoolMetrics.builder().register(registry);
    JvmClassLoadingMetrics.builder().register(registry);
    JvmCompilationMetrics.builder().register(registry);
    JvmGarbageCollectorMetrics.builder().register(registry);
    JvmMemoryPoolAllocationMetrics.builder().register(registry);
    JvmMemoryMetrics.builder().register(registry);
    JvmRuntimeInfoMetric.builder().register(registry);
    ProcessMetrics.builder().register(registry);
  }

  /**
   * Renders every metric in the format the {@code Accept} header asks for: OpenMetrics text when it
   * accepts {@code application/openmetrics-text}, the Prometheus protobuf format when asked for it
   * (native histograms), else the Prometheus text format 0.0.4 (the client's negotiation).
   *
   * @param accept the request's Accept header, or null
   */
  public MetricsScrape scrape(String accept) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable()) {
      writer = formats.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(lastSize + lastSize / 8); // no regrowth
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lastSize = out.size();
    return new MetricsScrape(writer.getContentType(), out.toByteArray());
  }

  /** The registry, for tests and benchmarks. */
  public PrometheusRegistry registry() {
    return registry;
  }
}
