package dev.flowgate.controlplane.detect;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Each alert event as one log line (WARNING for firing and updates, INFO for resolutions). */
public final class LogAlertSink implements AlertSink {
  private static final Logger LOG = Logger.getLogger(LogAlertSink.class.getName());
  private final DeliveryStats stats = new DeliveryStats();

  @Override
  public String name() {
    return "log";
  }

  @Override
  public void sweep(List<AlertEvent> events, List<Alert> active, long nowMs) {
    for (AlertEvent e : events) {
      Alert a = e.alert();
      LOG.log(
          e.kind() == AlertEvent.Kind.RESOLVED ? Level.INFO : Level.WARNING,
          "alert "
              + e.kind().label()
              + ": "
              + a.type()
              + " "
              + a.severity()
              + " at "
              + a.target()
              + " ("
              + a.direction()
              + ", hostgroup "
              + a.hostgroup()
              + "): "
              + a.rate()
              + a.unit()
              + ", threshold "
              + a.threshold()
              + a.unit()
              + ", peak "
              + a.peakRate()
              + a.unit()
              + " [id "
              + a.id()
              + "]");
      stats.countDelivered();
    }
  }

  @Override
  public DeliveryStats stats() {
    return stats;
  }

  @Override
  public void close() {}
}
