package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.FlowgateConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The config keys a reload cannot apply: they shape what was built at start (the kernel's flow
 * table and pins, the state directory, the sweep schedule, the API's socket). A reloaded file that
 * changes one keeps the running value, and the key is named in the log and in {@code
 * /api/v1/status} as {@code restartRequired} until a restart (or a file that puts it back). Every
 * other key is applied by the reload.
 */
final class RestartKeys {
  private RestartKeys() {}

  /** The restart-only keys whose value differs between the running config and the file's. */
  static List<String> changed(FlowgateConfig running, FlowgateConfig file) {
    List<String> keys = new ArrayList<>();
    if (running.flows().maxFlows() != file.flows().maxFlows()) {
      keys.add("flows.max-flows");
    }
    if (!running.flows().sweepInterval().equals(file.flows().sweepInterval())) {
      keys.add("flows.sweep-interval");
    }
    if (!running.dataplane().pinPath().equals(file.dataplane().pinPath())) {
      keys.add("dataplane.pin-path");
    }
    if (!running.stateDirectory().equals(file.stateDirectory())) {
      keys.add("state-directory");
    }
    if (running.export().spoolLimit() != file.export().spoolLimit()) {
      keys.add("export.spool-limit"); // the spools were opened with it
    }
    if (!running.api().listen().equals(file.api().listen())) {
      keys.add("api.listen");
    }
    if (running.api().tls().isPresent() != file.api().tls().isPresent()) {
      keys.add("api.tls"); // on or off; a new certificate on a TLS listener is reloaded
    }
    if (!running.alerts().sinks().equals(file.alerts().sinks())) {
      keys.add("alerts.sinks"); // the other alerts keys are reloaded
    }
    return keys;
  }
}
