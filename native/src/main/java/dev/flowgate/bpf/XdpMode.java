package dev.flowgate.bpf;

/** Where an XDP program runs. */
public enum XdpMode {
  /** In the driver, before any skb exists (XDP_FLAGS_DRV_MODE); the fast path. */
  NATIVE(1 << 2),
  /**
   * After the skb is built, for drivers without native XDP (XDP_FLAGS_SKB_MODE); runs after GRO, so
   * it sees merged packets.
   */
  GENERIC(1 << 1);

  private final int flags;

  XdpMode(int flags) {
    this.flags = flags;
  }

  /** The XDP_FLAGS_* mode bit. */
  public int flags() {
    return flags;
  }
}
