package dev.flowgate.controlplane;

import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.iface.InterfaceOverlay;
import dev.flowgate.controlplane.sweep.SweepLoop;
import java.util.List;

/**
 * Changes to the interface entries: the config file's (at start and on SIGHUP) with the API's
 * changes ({@link InterfaceOverlay}) on top. Applied on the sweeper thread, like every attach.
 */
final class InterfaceEdits {
  private final SweepLoop loop;
  private final InterfaceManager interfaces;
  private final InterfaceOverlay overlay;
  private volatile List<InterfaceConfig> configured;

  InterfaceEdits(
      SweepLoop loop,
      InterfaceManager interfaces,
      InterfaceOverlay overlay,
      List<InterfaceConfig> configured) {
    this.loop = loop;
    this.interfaces = interfaces;
    this.overlay = overlay;
    this.configured = List.copyOf(configured);
  }

  /**
   * Applies the config file's entries with the API's changes on top (call on the sweeper thread).
   */
  void applyHere() {
    interfaces.setSpecs(overlay.apply(configured));
  }

  /** Replaces the config file's entries (SIGHUP); the API's changes stay on top. */
  void reload(List<InterfaceConfig> fresh) {
    loop.call(
        () -> {
          configured = List.copyOf(fresh);
          applyHere();
          return null;
        });
  }

  /** Adds or replaces an entry (kept in the overlay). */
  void put(InterfaceConfig entry) {
    loop.call(
        () -> {
          overlay.put(entry);
          applyHere();
          return null;
        });
  }

  /** Removes an entry (kept in the overlay). */
  void remove(String name) {
    loop.call(
        () -> {
          overlay.remove(name);
          applyHere();
          return null;
        });
  }
}
