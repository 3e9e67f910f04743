package dev.flowgate.controlplane.metrics;

import dev.flowgate.bpf.Layout;
import dev.flowgate.exporters.EndReason;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** Sweeps, flows, the flow map's fill and the dataplane's error counters. */
final class SweepMetrics {

  private SweepMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    SweepRecorder rec = source.sweeps();
    registry.register(rec.durationHistogram());
    registry.register(rec.fillHistogram());
    counter(registry, source, "flowgate_sweeps_total", "Sweeps completed", SweepSnapshot::sweeps);
    counter(
        registry,
        source,
        "flowgate_sweep_errors_total",
        "Sweeps that failed",
        SweepSnapshot::failures);
    counter(
        registry,
        source,
        "flowgate_sweep_drained_entries_total",
        "Flow map entries drained (interval flows), all sweeps",
        SweepSnapshot::drainedEntries);
    gauge(
        registry,
        source,
        "flowgate_flow_map_interval_entries",
        "Entries the last sweep drained: the last interval flow map's peak fill",
        SweepSnapshot::lastIntervalEntries);
    GaugeWithCallback.builder()
        .name("flowgate_flow_map_capacity")
        .help("Flows each half of the kernel flow table holds (CPUs x slots per CPU + spill map)")
        .callback(cb -> cb.call(rec.flowMapCapacity()))
        .register(registry);
    gauge(
        registry,
        source,
        "flowgate_flows_active",
        "Flows in the flow cache",
        SweepSnapshot::activeFlows);
    gauge(
        registry,
        source,
        "flowgate_flow_cache_capacity",
        "Flows the flow cache holds at most",
        SweepSnapshot::cacheCapacity);
    CounterWithCallback.builder()
        .name("flowgate_flows_finished_total")
        .help("Flows finished, by end reason (IPFIX flowEndReason)")
        .labelNames("reason")
        .callback(
            cb -> {
              SweepSnapshot s = rec.snapshot();
              for (EndReason r : EndReason.values()) {
                cb.call(s.finished().getOrDefault(r, 0L), reasonLabel(r));
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_dataplane_errors_total")
        .help("Kernel-side error and event counters (enum fg_error), by reason")
        .labelNames("reason")
        .callback(
            cb -> {
              long[] e = rec.snapshot().dataplaneErrors();
              for (int i = 0; i < Layout.DP_ERROR_MAX; i++) {
                cb.call(e[i], errorLabel(i));
              }
            })
        .register(registry);
    counter(
        registry,
        source,
        "flowgate_samples_lost_total",
        "Packet samples the kernel could not queue (ring buffer full: DP_SAMPLE_DROPPED)",
        s -> s.dataplaneErrors()[Layout.DP_SAMPLE_DROPPED]);
  }

  /** The {@code reason} label of an end reason: {@code idle_timeout}, ... */
  static String reasonLabel(EndReason r) {
    return r.name().toLowerCase(Locale.ROOT);
  }

  /** The {@code reason} label of an fg_error entry: DP_PARSE_TRUNCATED is parse_truncated. */
  static String errorLabel(int reason) {
    return Layout.DP_ERROR_NAMES.get(reason).substring(3).toLowerCase(Locale.ROOT);
  }

  private static void counter(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<SweepSnapshot> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.applyAsLong(source.sweeps().snapshot())))
        .register(registry);
  }

  private static void gauge(
      PrometheusRegistry registry,
      MetricsSource source,
      String name,
      String help,
      ToLongFunction<SweepSnapshot> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.applyAsLong(source.sweeps().snapshot())))
        .register(registry);
  }
}
