package dev.flowgate.controlplane.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Alerts as JSON: the API's objects and the webhook's bodies share this one shape. */
public final class AlertJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertJson() {}

  /** One alert as a JSON object; times as RFC 3339 UTC text. */
  public static Map<String, Object> object(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("type", a.type());
    m.put("target", a.target());
    m.put("direction", a.direction());
    m.put("hostgroup", a.hostgroup());
    m.put("severity", a.severity());
    m.put("state", a.state());
    m.put("startedAt", time(a.startedAt()));
    m.put("detectedAt", time(a.detectedAt()));
    m.put("resolvedAt", a.resolvedAt() == null ? null : time(a.resolvedAt()));
    m.put("rate", a.rate());
    m.put("peakRate", a.peakRate());
    m.put("threshold", a.threshold());
    m.put("unit", a.unit());
    m.put("detectedSweep", a.detectedSweep());
    m.put("fingerprint", a.fingerprint());
    return m;
  }

  /** {@code {"alerts": [...]}}. */
  public static String list(List<Alert> alerts) {
    return write(Map.of("alerts", alerts.stream().map(AlertJson::object).toList()));
  }

  /** A webhook body: {@code {"event": "firing|updated|resolved", "alert": {...}}}. */
  public static String event(AlertEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", e.kind().label());
    m.put("alert", object(e.alert()));
    return write(m);
  }

  /** RFC 3339 text of epoch ms. */
  public static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
