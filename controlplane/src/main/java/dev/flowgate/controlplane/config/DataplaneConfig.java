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
 * @param snapLength bytes of each sampled packet the dataplane copies (set at load); a capture may
 *     only ask for fewer
 */
public record DataplaneConfig(Path pinPath, boolean keepAttached, int snapLength) {

  /** Default pin-path: /sys/fs/bpf/flowgate. */
  public static final Path DEFAULT_PIN_PATH = Path.of("/sys/fs/bpf/flowgate");

  /** Default keep-attached: true, counting goes on while flowgate is stopped or restarting. */
  public static final boolean DEFAULT_KEEP_ATTACHED = true;

  /** Default snap-length: 128 bytes of each sampled packet (FG_DEFAULT_SNAP). */
  public static final int DEFAULT_SNAP_LENGTH = 128;

  /** Smallest snap-length: 16 bytes (the Ethernet header and a VLAN tag). */
  public static final int MIN_SNAP_LENGTH = 16;

  /** Largest snap-length: 256 bytes (FG_SAMPLE_MAX_SNAP, the ring buffer's record size). */
  public static final int MAX_SNAP_LENGTH = 256;

  /** Checks that the pin path is absolute and the snap length in range. */
  public DataplaneConfig {
    PathRule.absolute("pin-path", pinPath);
    Check.range("snap-length", snapLength, MIN_SNAP_LENGTH, MAX_SNAP_LENGTH);
  }

  /** Pin path and keep-attached, the default snap length. */
  public DataplaneConfig(Path pinPath, boolean keepAttached) {
    this(pinPath, keepAttached, DEFAULT_SNAP_LENGTH);
  }

  /** Every default. */
  public static DataplaneConfig defaults() {
    return new DataplaneConfig(DEFAULT_PIN_PATH, DEFAULT_KEEP_ATTACHED, DEFAULT_SNAP_LENGTH);
  }
}
