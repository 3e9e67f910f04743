package dev.flowgate.controlplane.iface;

import dev.flowgate.bpf.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Interface name to kernel totals slot, kept under the state directory ({@code slots}) so a restart
 * finds each interface's totals in the same slot of the pinned totals map.
 */
public final class SlotTable {
  private final Path file;
  private final Map<String, Integer> slots = new HashMap<>();

  /** Loads the table from {@code stateDir/slots} if it exists. */
  public SlotTable(Path stateDir) {
    this.file = stateDir.resolve("slots");
    if (Files.exists(file)) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          String[] parts = line.trim().split("\\s+");
          if (parts.length == 2) {
            slots.put(parts[0], Integer.parseInt(parts[1]));
          }
        }
      } catch (IOException | NumberFormatException e) {
        throw new IllegalStateException("unreadable slot table " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** The slot of an interface, assigning the lowest free one on first sight. */
  public synchronized int slotOf(String ifname) {
    Integer slot = slots.get(ifname);
    if (slot != null) {
      return slot;
    }
    for (int s = 0; s < Layout.SLOT_UNKNOWN; s++) {
      if (!slots.containsValue(s)) {
        slots.put(ifname, s);
        save();
        return s;
      }
    }
    throw new IllegalStateException(
        "no free interface slot: at most " + Layout.SLOT_UNKNOWN + " interfaces");
  }

  /** The interface a slot belongs to, if any. */
  public synchronized Optional<String> nameOf(int slot) {
    return slots.entrySet().stream()
        .filter(e -> e.getValue() == slot)
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** A copy of the whole table. */
  public synchronized Map<String, Integer> snapshot() {
    return Map.copyOf(slots);
  }

  private void save() {
    StringBuilder sb = new StringBuilder();
    slots.forEach((name, slot) -> sb.append(name).append(' ').append(slot).append('\n'));
    try {
      Path tmp = file.resolveSibling("slots.tmp");
      Files.writeString(tmp, sb, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write slot table " + file, e);
    }
  }
}
