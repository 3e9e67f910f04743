package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.FlowgateConfig;
import java.nio.file.Path;

/**
 * The running flowgate: attaches, sweeps, exports, serves the API until stopped. Placeholder until
 * the lifecycle is written; the CLI's {@code run} command calls it.
 */
public final class FlowgateDaemon {

  private final FlowgateConfig config;
  private final Path configPath;

  /**
   * A daemon for a loaded config.
   *
   * @param config the validated configuration
   * @param configPath the file it came from (reloaded on SIGHUP)
   */
  public FlowgateDaemon(FlowgateConfig config, Path configPath) {
    this.config = config;
    this.configPath = configPath;
  }

  /**
   * Runs until stopped.
   *
   * @return the process exit code: 0 after a clean stop, 1 after a runtime failure
   */
  public int run() {
    throw new UnsupportedOperationException(
        "the flowgate daemon is not built yet (config "
            + configPath
            + " for "
            + config.interfaces().size()
            + " interface entries)");
  }
}
