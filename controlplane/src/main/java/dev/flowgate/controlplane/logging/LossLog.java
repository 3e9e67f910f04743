package dev.flowgate.controlplane.logging;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs what the dataplane lost, from each sweep's kernel reading (a {@link SweepListener}): samples
 * the ring buffer could not take (DP_SAMPLE_DROPPED), packets the flow table refused
 * (DP_FLOW_INSERT_FAILED) and packets on a CPU without a table slice (DP_NO_FLOW_MAP). The first
 * loss of each cause is a WARN at once, then one summary at most once a minute; the counters
 * themselves are in {@code flowgate_dataplane_errors_total}.
 */
public final class LossLog implements SweepListener {
  private static final Logger LOG = LoggerFactory.getLogger(LossLog.class);

  private static final int[] REASONS = {
    Layout.DP_SAMPLE_DROPPED, Layout.DP_FLOW_INSERT_FAILED, Layout.DP_NO_FLOW_MAP
  };

  private final RateLimitedLog log = new RateLimitedLog(LOG, Level.WARN);
  private final long[] reported = new long[Layout.DP_ERROR_MAX];

  /**
   * Takes the counters as they are now as the start (pins kept from an earlier run hold its
   * losses): only later losses are logged.
   */
  public LossLog(KernelCounters counters) {
    for (int r : REASONS) {
      reported[r] = counters.error(r);
    }
  }

  /** Logs what grew since the last sweep. */
  @Override
  public void swept(SweepResult result) {
    for (int r : REASONS) {
      long now = result.kernel().error(r);
      long lost = now - reported[r];
      if (lost > 0) {
        reported[r] = now;
        log.report(Layout.DP_ERROR_NAMES.get(r), lost + " " + what(r) + " (" + now + " in all)");
      }
    }
  }

  private static String what(int reason) {
    return switch (reason) {
      case Layout.DP_SAMPLE_DROPPED -> "samples lost: the ring buffer was full";
      case Layout.DP_FLOW_INSERT_FAILED ->
          "packets not in flows: the flow table was full (raise flows.max-flows)";
      default -> "packets not in flows: no flow table slice for their CPU";
    };
  }
}
