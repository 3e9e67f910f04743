package dev.flowgate.exporters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Supplies the interface names (ifName) per ifindex that the exporters announce in their options
 * records, so a collector can show {@code eth0} instead of {@code 2}. Called at each template
 * refresh, not per flow.
 */
@FunctionalInterface
public interface InterfaceNames {

  /** The current ifindex to name table, sorted by ifindex; never null. */
  SortedMap<Long, String> current();

  /** No names: the options records carry no interface rows. */
  static InterfaceNames none() {
    return Collections::emptySortedMap;
  }

  /** A fixed table. */
  static InterfaceNames of(Map<Long, String> names) {
    SortedMap<Long, String> copy = Collections.unmodifiableSortedMap(new TreeMap<>(names));
    return () -> copy;
  }

  /** This host's interfaces as the kernel lists them in {@code /sys/class/net/NAME/ifindex}. */
  static InterfaceNames system() {
    return () -> {
      SortedMap<Long, String> names = new TreeMap<>();
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/sys/class/net"))) {
        for (Path dir : dirs) {
          try {
            long ifindex = Long.parseLong(Files.readString(dir.resolve("ifindex")).trim());
            names.put(ifindex, dir.getFileName().toString());
          } catch (IOException | NumberFormatException e) {
            // the interface went away while we listed it: skip it
          }
        }
      } catch (IOException e) {
        return Collections.emptySortedMap();
      }
      return names;
    };
  }
}
