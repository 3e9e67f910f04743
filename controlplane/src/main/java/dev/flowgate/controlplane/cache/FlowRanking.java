package dev.flowgate.controlplane.cache;

/** What {@link FlowCache#top} ranks active flows by. */
public enum FlowRanking {
  /** octetDeltaCount of the flow's current record. */
  BYTES,
  /** packetDeltaCount of the flow's current record. */
  PACKETS,
  /** octetDeltaCount per second of the flow's current record (its life so far, at least 1 s). */
  RATE
}
