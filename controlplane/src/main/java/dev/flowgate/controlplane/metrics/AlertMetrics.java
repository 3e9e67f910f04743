package dev.flowgate.controlplane.metrics;

import dev.flowgate.controlplane.config.Detector;
import dev.flowgate.controlplane.detect.Alert;
import dev.flowgate.controlplane.detect.AlertSink;
import dev.flowgate.controlplane.detect.DeliveryStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * The detectors' alerts: firing now per type and severity (every pair, 0 included, so a dashboard
 * sees the series before the first attack), fired since start per type, and each alert sink's
 * delivery outcomes (label {@code sink}, one per configured sink).
 */
final class AlertMetrics {
  private static final String[] SEVERITIES = {"warning", "critical"};

  private AlertMetrics() {}

  static void register(PrometheusRegistry registry, MetricsSource source) {
    GaugeWithCallback.builder()
        .name("flowgate_alerts_firing")
        .help("Alerts firing now, by detector type and severity")
        .labelNames("type", "severity")
        .callback(
            cb -> {
              long[][] n = new long[Detector.values().length][SEVERITIES.length];
              for (Alert a : source.alerts()) {
                if (a.firing()) {
                  n[Detector.ofLabel(a.type()).ordinal()][
                      a.severity().equals("critical") ? 1 : 0]++;
                }
              }
              for (Detector t : Detector.values()) {
                for (int s = 0; s < SEVERITIES.length; s++) {
                  cb.call(n[t.ordinal()][s], t.label(), SEVERITIES[s]);
                }
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_alerts_total")
        .help("Alerts fired since start, by detector type")
        .labelNames("type")
        .callback(
            cb -> {
              Map<Detector, Long> totals = source.alertTotals();
              for (Detector t : Detector.values()) {
                cb.call(totals.getOrDefault(t, 0L), t.label());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("flowgate_alert_deliveries_total")
        .help("Alert sink deliveries by sink and outcome (delivered, failed, retried, dropped)")
        .labelNames("sink", "outcome")
        .callback(
            cb -> {
              for (AlertSink s : source.alertSinks()) {
                DeliveryStats st = s.stats();
                for (int i = 0; i < DeliveryStats.OUTCOMES.length; i++) {
                  cb.call(st.get(i), s.name(), DeliveryStats.OUTCOMES[i]);
                }
              }
            })
        .register(registry);
  }
}
