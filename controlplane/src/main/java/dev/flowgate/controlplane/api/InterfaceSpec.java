package dev.flowgate.controlplane.api;

import java.util.Objects;

/**
 * A new interface entry, as {@code POST /api/v1/interfaces} takes it and as the config's {@code
 * interfaces[]} list holds it. The API validates {@code name} ({@link InterfaceNames#validate})
 * before the backend sees it.
 *
 * @param name an interface name, or {@code /regex/} matched as interfaces come and go
 * @param mode how to attach
 * @param direction which way to count
 * @param sampling 1-in-N packets into the ring buffer; 0 = off
 */
public record InterfaceSpec(String name, AttachMode mode, Direction direction, int sampling) {

  /** xdp: mode when a request leaves it out. */
  public static final AttachMode DEFAULT_MODE = AttachMode.XDP;

  /** ingress: direction when a request leaves it out. */
  public static final Direction DEFAULT_DIRECTION = Direction.INGRESS;

  /** {@value}: sampling when a request leaves it out (off). */
  public static final int DEFAULT_SAMPLING = 0;

  /** Checks for nulls and a non-negative sampling. */
  public InterfaceSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(direction, "direction");
    if (sampling < 0) {
      throw new IllegalArgumentException("sampling must be >= 0, was " + sampling);
    }
  }

  /** The id this entry will be addressed by ({@link InterfaceNames#idOf}). */
  public String id() {
    return InterfaceNames.idOf(name);
  }
}
