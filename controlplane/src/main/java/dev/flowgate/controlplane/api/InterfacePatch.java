package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.AttachMode;
import dev.flowgate.controlplane.config.Direction;
import java.util.Optional;

/**
 * A change to an interface entry ({@code PATCH /api/v1/interfaces/{id}}); an empty field stays as
 * it is. The API refuses a patch that sets nothing.
 *
 * @param mode a new attach mode
 * @param direction a new direction
 * @param sampling a new 1-in-N sampling rate, 0 = off
 */
public record InterfacePatch(
    Optional<AttachMode> mode, Optional<Direction> direction, Optional<Integer> sampling) {

  /** Replaces nulls by empty and checks a non-negative sampling. */
  public InterfacePatch {
    mode = mode == null ? Optional.empty() : mode;
    direction = direction == null ? Optional.empty() : direction;
    sampling = sampling == null ? Optional.empty() : sampling;
    sampling.ifPresent(
        n -> {
          if (n < 0) {
            throw new IllegalArgumentException("sampling must be >= 0, was " + n);
          }
        });
  }

  /** True if the patch sets no field. */
  public boolean isEmpty() {
    return mode.isEmpty() && direction.isEmpty() && sampling.isEmpty();
  }
}
