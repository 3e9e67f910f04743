package dev.flowgate.controlplane.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * {@code flowgate flush}: ends every cached flow now (flowEndReason forcedEnd) and exports it, as a
 * stop would, without stopping ({@code POST /api/v1/flush}; needs the token).
 */
@Command(
    name = "flush",
    description =
        "End every active flow now and export it (flowEndReason forcedEnd), without stopping."
            + " Needs the API token.")
final class FlushCommand extends ClientCommand {

  @Override
  void run(ApiClient api, PrintWriter out) {
    long n = api.post("/api/v1/flush").path("flows").asLong();
    out.println("flushed " + FlowText.count(n) + (n == 1 ? " flow" : " flows"));
  }
}
