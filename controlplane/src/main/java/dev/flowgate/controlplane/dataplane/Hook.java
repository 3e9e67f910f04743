package dev.flowgate.controlplane.dataplane;

/** Where a flowgate program runs on an interface; reported per interface by the API. */
public enum Hook {
  /** XDP in the driver (native): before the stack allocates an skb. */
  XDP_NATIVE("xdp"),
  /** XDP in generic mode (after GRO, so merged packets); only when the config asks. */
  XDP_GENERIC("xdp-generic"),
  /** TC ingress (TCX link, or a clsact filter on older kernels). */
  TC_INGRESS("tc-ingress"),
  /** TC egress (TCX link, or a clsact filter). */
  TC_EGRESS("tc-egress");

  private final String label;

  Hook(String label) {
    this.label = label;
  }

  /** The name used in the API and in pin file names. */
  public String label() {
    return label;
  }

  /** 0 for ingress hooks, 1 for egress (enum fg_direction). */
  public int direction() {
    return this == TC_EGRESS ? 1 : 0;
  }
}
