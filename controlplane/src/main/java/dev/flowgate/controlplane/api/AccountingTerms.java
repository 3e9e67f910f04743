package dev.flowgate.controlplane.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flowgate.controlplane.config.Direction;
import java.util.Objects;

/**
 * The accounting invariant of one interface and direction: at any quiescent point {@code kernel =
 * exported + inCache + unaccounted}, each side measured, not derived.
 *
 * @param interfaceName the interface (JSON {@code interface})
 * @param direction {@link Direction#INGRESS} or {@link Direction#EGRESS}
 * @param kernel what the kernel's totals counted
 * @param exported what left flowgate in finished flow records
 * @param inCache what the flow cache holds, not yet exported
 * @param unaccounted what the kernel could not place in the flow map
 */
public record AccountingTerms(
    @JsonProperty("interface") String interfaceName,
    Direction direction,
    Counts kernel,
    Counts exported,
    Counts inCache,
    Counts unaccounted) {

  /** Checks that no field is null. */
  public AccountingTerms {
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(exported, "exported");
    Objects.requireNonNull(inCache, "inCache");
    Objects.requireNonNull(unaccounted, "unaccounted");
  }
}
