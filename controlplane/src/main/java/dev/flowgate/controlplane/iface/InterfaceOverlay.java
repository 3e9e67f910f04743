package dev.flowgate.controlplane.iface;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowgate.controlplane.config.AttachMode;
import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Interface changes made through the API, kept under the state directory ({@code interfaces.json})
 * and laid on top of the config file's entries at every start and SIGHUP, so they survive both:
 * entries added, entries of the file removed, and entries replaced (a patch replaces the whole
 * entry by name).
 */
public final class InterfaceOverlay {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, InterfaceConfig> put = new LinkedHashMap<>();
  private final Set<String> removed = new LinkedHashSet<>();

  private InterfaceOverlay(Path file) {
    this.file = file;
  }

  /** Loads the overlay of a state directory (empty if none was saved). */
  public static InterfaceOverlay load(Path stateDir) {
    InterfaceOverlay o = new InterfaceOverlay(stateDir.resolve("interfaces.json"));
    if (!Files.exists(o.file)) {
      return o;
    }
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(o.file.toFile());
      root.withArray("put")
          .forEach(
              n -> {
                InterfaceConfig c =
                    new InterfaceConfig(
                        n.get("name").asText(),
                        AttachMode.fromLabel(n.get("mode").asText()),
                        Direction.fromLabel(n.get("direction").asText()),
                        n.get("sampling").asInt());
                o.put.put(c.name(), c);
              });
      root.withArray("removed").forEach(n -> o.removed.add(n.asText()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "unreadable interface changes "
              + o.file
              + ": "
              + e.getMessage()
              + " (fix or remove the file)",
          e);
    }
    return o;
  }

  /** The file's entries with the API's changes on top. */
  public synchronized List<InterfaceConfig> apply(List<InterfaceConfig> fromFile) {
    List<InterfaceConfig> out = new ArrayList<>();
    for (InterfaceConfig c : fromFile) {
      if (removed.contains(c.name())) {
        continue;
      }
      out.add(put.getOrDefault(c.name(), c));
    }
    for (InterfaceConfig c : put.values()) {
      if (out.stream().noneMatch(x -> x.name().equals(c.name()))) {
        out.add(c);
      }
    }
    return out;
  }

  /** Records an added or changed entry. */
  public synchronized void put(InterfaceConfig entry) {
    removed.remove(entry.name());
    put.put(entry.name(), entry);
    save();
  }

  /** Records a removed entry. */
  public synchronized void remove(String name) {
    put.remove(name);
    removed.add(name);
    save();
  }

  private void save() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode p = root.putArray("put");
    for (InterfaceConfig c : put.values()) {
      p.addObject()
          .put("name", c.name())
          .put("mode", c.mode().label())
          .put("direction", c.direction().label())
          .put("sampling", c.sampling());
    }
    ArrayNode r = root.putArray("removed");
    removed.forEach(r::add);
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save interface changes to " + file, e);
    }
  }
}
