package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.AlertSinksConfig;
import java.util.ArrayList;
import java.util.List;

/** The alert sinks {@code alerts.sinks} asks for, in the order log, alertmanager, webhook. */
public final class AlertSinks {
  private AlertSinks() {}

  /** Creates (and starts) the configured sinks. */
  public static List<AlertSink> create(AlertSinksConfig config) {
    List<AlertSink> out = new ArrayList<>();
    if (config.log()) {
      out.add(new LogAlertSink());
    }
    config.alertmanager().ifPresent(a -> out.add(new AlertmanagerSink(a)));
    config.webhook().ifPresent(w -> out.add(new WebhookAlertSink(w)));
    return out;
  }
}
