package dev.flowgate.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flowgate top}: the active flows with the most bytes, packets or bytes per second, once or
 * refreshed every second ({@code --watch}, until Ctrl-C). ICMP flows show their type and code by
 * name.
 */
@Command(
    name = "top",
    description = "Show the active flows with the most bytes, packets or bytes per second.")
final class TopCommand extends ClientCommand {

  /** What {@code --by} takes. */
  enum By {
    bytes,
    packets,
    rate
  }

  @Option(
      names = {"-n", "--flows"},
      paramLabel = "N",
      defaultValue = "10",
      description = "How many flows, 1 to 10000 (default: ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--by",
      defaultValue = "bytes",
      description =
          "Rank by bytes, packets, or rate (bytes per second over the flow's life so far)"
              + " (default: ${DEFAULT-VALUE}).")
  By by;

  @Option(
      names = {"-i", "--interface"},
      paramLabel = "NAME",
      description = "Only flows on this attached interface.")
  String ifname;

  @Option(
      names = {"-w", "--watch"},
      description = "Refresh every second until interrupted (Ctrl-C).")
  boolean watch;

  @Override
  void run(ApiClient api, PrintWriter out) {
    if (n < 1 || n > 10_000) {
      throw new ApiCallException("-n is 1 to 10000, was " + n);
    }
    String path =
        "/api/v1/flows?top="
            + n
            + "&by="
            + by
            + (ifname == null
                ? ""
                : "&interface=" + URLEncoder.encode(ifname, StandardCharsets.UTF_8));
    boolean terminal = System.console() != null;
    do {
      JsonNode flows = api.get(path);
      JsonNode status = watch ? api.get("/api/v1/status") : null;
      if (watch && terminal) {
        out.print("\033[H\033[2J"); // home, clear the screen
      }
      if (watch) {
        out.printf(
            Locale.ROOT,
            "flowgate top  %s  sweeps %s  by %s  (Ctrl-C to stop)%n",
            LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")),
            FlowText.count(status.path("sweeps").asLong()),
            by);
        for (JsonNode a : status.path("accounting")) {
          out.printf(
              Locale.ROOT,
              "  %-12s %-7s kernel %10s pkts  exported %10s  in cache %10s  unaccounted %s%n",
              a.path("interface").asText(),
              a.path("direction").asText(),
              FlowText.count(a.path("kernel").path("packets").asLong()),
              FlowText.count(a.path("exported").path("packets").asLong()),
              FlowText.count(a.path("inCache").path("packets").asLong()),
              FlowText.count(a.path("unaccounted").path("packets").asLong()));
        }
        out.println();
      }
      table(flows.path("flows"), out);
      out.flush();
      if (watch) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } while (watch);
  }

  static void table(JsonNode flows, PrintWriter out) {
    String format = "%-40s %-40s %-30s %-12s %10s %11s %12s%n";
    out.printf(
        Locale.ROOT, format, "source", "destination", "protocol", "interface", "packets", "bytes",
        "rate");
    for (JsonNode f : flows) {
      out.printf(
          Locale.ROOT,
          format,
          FlowText.source(f),
          FlowText.destination(f),
          FlowText.what(f),
          f.path("interfaceName").asText("-") + (f.path("flowDirection").asText().equals("egress")
              ? " out" : " in"),
          FlowText.count(f.path("packetDeltaCount").asLong()),
          FlowText.bytes(f.path("octetDeltaCount").asLong()),
          FlowText.bytes(FlowText.rate(f)) + "/s");
    }
  }
}
