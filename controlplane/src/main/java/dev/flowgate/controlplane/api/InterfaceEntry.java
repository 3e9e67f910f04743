package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.AttachMode;
import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.config.InterfaceName;
import java.util.List;
import java.util.Objects;

/**
 * A configured interface entry and what it is attached to now ({@code GET /api/v1/interfaces}).
 *
 * @param id how the API addresses it ({@link InterfaceName#idOf})
 * @param name an interface name or {@code /regex/}
 * @param mode how it asks to be attached
 * @param direction which way it counts
 * @param sampling 1-in-N packets into the ring buffer; 0 = off
 * @param attached the interfaces it is attached to (several for a regex, none while absent)
 * @param state {@value #ATTACHED} (attached to at least one interface), {@value #ABSENT} (no
 *     interface of this network namespace has the name, or matches the regex), or {@value
 *     #NOT_ATTACHED} (the interface exists but the attach failed: the log says why)
 */
public record InterfaceEntry(
    String id,
    String name,
    AttachMode mode,
    Direction direction,
    int sampling,
    List<Attachment> attached,
    String state) {
  /** {@link #state()} of an entry attached to at least one interface. */
  public static final String ATTACHED = "attached";

  /** {@link #state()} of an entry no interface of this network namespace answers to. */
  public static final String ABSENT = "absent";

  /** {@link #state()} of an entry whose interface exists but is not attached. */
  public static final String NOT_ATTACHED = "not-attached";

  /** Checks for nulls, that {@code id} is the id of {@code name}, and copies the list. */
  public InterfaceEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(direction, "direction");
    if (!InterfaceName.idOf(name).equals(id)) {
      throw new IllegalArgumentException("id " + id + " is not the id of " + name);
    }
    attached = List.copyOf(attached);
    Objects.requireNonNull(state, "state");
  }

  /** An entry for {@code spec} with its id computed; {@code absent} when nothing answers to it. */
  public static InterfaceEntry of(InterfaceConfig spec, List<Attachment> attached, boolean absent) {
    String state = !attached.isEmpty() ? ATTACHED : absent ? ABSENT : NOT_ATTACHED;
    return new InterfaceEntry(
        spec.id(), spec.name(), spec.mode(), spec.direction(), spec.sampling(), attached, state);
  }

  /** This entry's configuration part. */
  public InterfaceConfig spec() {
    return new InterfaceConfig(name, mode, direction, sampling);
  }
}
