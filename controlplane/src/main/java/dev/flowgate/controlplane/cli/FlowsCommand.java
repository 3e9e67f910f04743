package dev.flowgate.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flowgate flows}: every flow in the cache, streamed from {@code GET /api/v1/flows/all} (the
 * cache is walked page by page on the daemon's side: millions of flows are never copied whole), as
 * JSON Lines or CSV. ICMP flows carry their type and code by name in the {@code icmp} field.
 */
@Command(
    name = "flows",
    description =
        "Print every active flow, streamed: JSON Lines (one object per flow) or CSV with a header.")
final class FlowsCommand extends ClientCommand {

  /** What {@code --format} takes. */
  enum Format {
    json,
    csv
  }

  /** The CSV columns: FlowRow's IPFIX names, then {@code icmp}. */
  static final List<String> COLUMNS =
      List.of(
          "sourceAddress",
          "destinationAddress",
          "sourceTransportPort",
          "destinationTransportPort",
          "protocolIdentifier",
          "ipVersion",
          "ifindex",
          "interfaceName",
          "flowDirection",
          "vlanId",
          "ipClassOfService",
          "tcpControlBits",
          "packetDeltaCount",
          "octetDeltaCount",
          "flowStartMilliseconds",
          "flowEndMilliseconds",
          "ingressInterface",
          "egressInterface",
          "ipNextHopAddress",
          "forwardingStatus",
          "sourceMacAddress",
          "destinationMacAddress",
          "icmp");

  @Option(
      names = {"-f", "--format"},
      defaultValue = "json",
      description = "json (JSON Lines) or csv (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  void run(ApiClient api, PrintWriter out) {
    if (format == Format.csv) {
      out.println(String.join(",", COLUMNS));
    }
    api.lines(
        "/api/v1/flows/all",
        line -> {
          JsonNode flow = ApiClient.parse(line);
          int proto = flow.path("protocolIdentifier").asInt();
          String icmp =
              FlowText.isIcmp(proto)
                  ? FlowText.icmp(proto, flow.path("destinationTransportPort").asInt())
                  : null;
          if (format == Format.json) {
            if (icmp != null) {
              ((ObjectNode) flow).put("icmp", icmp);
            }
            out.println(flow.toString());
          } else {
            StringBuilder row = new StringBuilder();
            for (String c : COLUMNS) {
              if (row.length() > 0 || !c.equals(COLUMNS.get(0))) {
                row.append(',');
              }
              String v =
                  c.equals("icmp")
                      ? icmp
                      : flow.path(c).isNull() ? null : flow.path(c).asText(null);
              row.append(csv(v));
            }
            out.println(row);
          }
        });
  }

  /** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
  static String csv(String v) {
    if (v == null) {
      return "";
    }
    if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) {
      return v;
    }
    return '"' + v.replace("\"", "\"\"") + '"';
  }
}
