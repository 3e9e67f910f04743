package dev.flowgate.controlplane.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** What {@code GET /api/v1/flows?by=} ranks flows by. */
public enum FlowOrder {
  /** octetDeltaCount. */
  BYTES("bytes"),
  /** packetDeltaCount. */
  PACKETS("packets"),
  /** octetDeltaCount per second of the flow's life so far (at least one second). */
  RATE("rate");

  private final String queryName;

  FlowOrder(String queryName) {
    this.queryName = queryName;
  }

  /** The value of the {@code by} query parameter. */
  @JsonValue
  public String queryName() {
    return queryName;
  }

  /** The order with this query value, if any. */
  public static Optional<FlowOrder> fromQueryName(String name) {
    for (FlowOrder order : values()) {
      if (order.queryName.equals(name)) {
        return Optional.of(order);
      }
    }
    return Optional.empty();
  }
}
