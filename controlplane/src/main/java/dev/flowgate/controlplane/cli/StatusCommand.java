package dev.flowgate.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;

/**
 * {@code flowgate status}: the running flowgate at a glance: each interface entry with what it is
 * attached to, in which mode and why (e.g. a fallback from XDP to TC), the accounting terms per
 * interface and direction, each collector's (and, when the status has them, each sink's) outcomes,
 * the last sweep, the keys waiting for a restart, and the alerts firing when the daemon has alerts.
 */
@Command(
    name = "status",
    description =
        "Show the running flowgate: interfaces (attach mode and why), the accounting terms,"
            + " exporters and sinks, the last sweep, keys waiting for a restart, alerts firing.")
final class StatusCommand extends ClientCommand {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  @Override
  void run(ApiClient api, PrintWriter out) {
    JsonNode s = api.get("/api/v1/status");
    JsonNode interfaces = api.get("/api/v1/interfaces");
    Optional<JsonNode> alerts = api.get("/api/v1/alerts", true);

    out.printf(
        Locale.ROOT,
        "flowgate %s at %s, up %s, %s sweeps%n",
        s.path("version").asText(),
        api.base(),
        uptime(s.path("uptimeMillis").asLong()),
        FlowText.count(s.path("sweeps").asLong()));
    long at = s.path("lastSweepAtMillis").asLong();
    if (at > 0) {
      out.printf(
          Locale.ROOT,
          "last sweep: %s, %.1f ms, %s of %s flow entries drained%n",
          CLOCK.format(Instant.ofEpochMilli(at)),
          s.path("lastSweepMicros").asLong() / 1000.0,
          FlowText.count(s.path("flowMap").path("entries").asLong()),
          FlowText.count(s.path("flowMap").path("capacity").asLong()));
    } else {
      out.println("last sweep: none yet");
    }
    if (s.path("restartRequired").size() > 0) {
      out.println(
          "restart required: the config file changes "
              + join(s.path("restartRequired"))
              + " (running with the old values until a restart)");
    }

    out.println();
    out.println("interfaces:");
    for (JsonNode e : interfaces.path("interfaces")) {
      out.printf(
          Locale.ROOT,
          "  %s  mode %s, %s, sampling %s%n",
          e.path("name").asText(),
          e.path("mode").asText(),
          e.path("direction").asText(),
          e.path("sampling").asInt() == 0 ? "off" : "1/" + e.path("sampling").asInt());
      if (e.path("attached").isEmpty()) {
        out.println("    not attached (no such device now)");
      }
      for (JsonNode a : e.path("attached")) {
        out.printf(
            Locale.ROOT,
            "    %s (ifindex %d): %s%s%n",
            a.path("device").asText(),
            a.path("ifindex").asInt(),
            join(a.path("hooks")),
            a.hasNonNull("note") ? " -- " + a.path("note").asText() : "");
      }
    }

    out.println();
    out.println("accounting (packets; kernel = exported + in cache + unaccounted):");
    out.printf(
        Locale.ROOT,
        "  %-16s %-8s %15s %15s %15s %12s%n",
        "interface",
        "dir",
        "kernel",
        "exported",
        "in cache",
        "unaccounted");
    for (JsonNode a : s.path("accounting")) {
      out.printf(
          Locale.ROOT,
          "  %-16s %-8s %15s %15s %15s %12s%n",
          a.path("interface").asText(),
          a.path("direction").asText(),
          FlowText.count(a.path("kernel").path("packets").asLong()),
          FlowText.count(a.path("exported").path("packets").asLong()),
          FlowText.count(a.path("inCache").path("packets").asLong()),
          FlowText.count(a.path("unaccounted").path("packets").asLong()));
    }

    out.println();
    if (s.path("exporters").isEmpty()) {
      out.println("exporters: none");
    } else {
      out.println("exporters:");
      for (JsonNode x : s.path("exporters")) {
        out.printf(
            Locale.ROOT,
            "  %s %s: %s records in %s messages, %s send errors, %s records dropped,"
                + " queue %d/%d%s%n",
            x.path("protocol").asText(),
            x.path("collector").asText(),
            FlowText.count(x.path("recordsSent").asLong()),
            FlowText.count(x.path("messagesSent").asLong()),
            FlowText.count(x.path("sendErrors").asLong()),
            FlowText.count(x.path("recordsDropped").asLong()),
            x.path("queueDepth").asInt(),
            x.path("queueCapacity").asInt(),
            x.hasNonNull("lastError") ? "; last error: " + x.path("lastError").asText() : "");
      }
    }
    sinkLines(out, "sinks (packets", s.path("sinks"), v -> v.path("packets").asLong());
    sinkLines(out, "sample sinks (samples", s.path("sampleSinks"), JsonNode::asLong);
    JsonNode j = s.path("journal");
    if (j.path("inDoubtRecords").asLong() > 0 || j.hasNonNull("corruption")) {
      out.printf(
          Locale.ROOT,
          "journal: %s records exported twice possibly after a crash%s%n",
          FlowText.count(j.path("inDoubtRecords").asLong()),
          j.hasNonNull("corruption") ? "; corruption: " + j.path("corruption").asText() : "");
    }
    if (alerts.isPresent()) {
      JsonNode list = alerts.get().has("alerts") ? alerts.get().get("alerts") : alerts.get();
      out.println();
      if (list.isEmpty()) {
        out.println("alerts: none firing");
      } else {
        out.println("alerts firing:");
        for (JsonNode a : list) {
          out.println("  " + fields(a));
        }
      }
    }
  }

  private static String uptime(long ms) {
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
  }

  private static String join(JsonNode array) {
    StringBuilder b = new StringBuilder();
    for (JsonNode v : array) {
      b.append(b.length() == 0 ? "" : ", ").append(v.asText());
    }
    return b.toString();
  }

  /**
   * One line per sink of {@code sinks} with its outcomes, under {@code title}; {@code count} reads
   * an outcome's count (packets of flow records, or samples).
   */
  private static void sinkLines(
      PrintWriter out, String title, JsonNode sinks, ToLongFunction<JsonNode> count) {
    if (sinks.size() == 0) {
      return;
    }
    out.println(title + "; handed = delivered + dropped + failed + queued):");
    for (JsonNode sink : sinks) {
      out.printf(
          Locale.ROOT,
          "  %-28s handed %s, delivered %s, dropped %s, failed %s, queued %s%s%n",
          sink.path("sink").asText(),
          FlowText.count(count.applyAsLong(sink.path("handed"))),
          FlowText.count(count.applyAsLong(sink.path("delivered"))),
          FlowText.count(count.applyAsLong(sink.path("dropped"))),
          FlowText.count(count.applyAsLong(sink.path("failed"))),
          FlowText.count(count.applyAsLong(sink.path("queued"))),
          sink.hasNonNull("lastError") ? "; last error: " + sink.path("lastError").asText() : "");
    }
  }

  /** An object's fields on one line, e.g. {@code sink=ipfix delivered=12 dropped=0}. */
  private static String fields(JsonNode object) {
    StringBuilder b = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      b.append(b.length() == 0 ? "" : " ")
          .append(f.getKey())
          .append('=')
          .append(f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
    }
    return b.toString();
  }
}
