package dev.flowgate.controlplane.config;

import java.nio.file.Path;

/**
 * The {@code dataplane:} section: where the kernel objects are pinned, and whether they outlive the
 * process.
 *
 * @param pinPath absolute bpffs directory; maps and links go under {@code
 *     <pin-path>/<schema-version>/}; one per flowgate instance
 * @param keepAttached true: programs and pinned maps stay when flowgate stops, so packets are still
 *     counted and drained by the next start; false: detach and unpin on stop
 */
public record DataplaneConfig(Path pinPath, boolean keepAttached) {

  /** Default pin-path: /sys/fs/bpf/flowgate. */
  public static final Path DEFAULT_PIN_PATH = Path.of("/sys/fs/bpf/flowgate");

  /** Default keep-attached: true, counting goes on while flowgate is stopped or restarting. */
  public static final boolean DEFAULT_KEEP_ATTACHED = true;

  /** Checks that the pin path is absolute. */
  public DataplaneConfig {
    PathRule.absolute("pin-path", pinPath);
  }

  /** Every default. */
  public static DataplaneConfig defaults() {
    return new DataplaneConfig(DEFAULT_PIN_PATH, DEFAULT_KEEP_ATTACHED);
  }
}
