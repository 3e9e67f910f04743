package dev.flowgate.exporters;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Supplies the interface names (ifName) per ifindex that the exporters announce in their options
 * records, so a collector can show {@code eth0} instead of {@code 2}. Called at each template
 * refresh, not per flow. The daemon supplies its rtnetlink link table (the interfaces of the
 * network namespace it runs in).
 */
@FunctionalInterface
public interface IfNameSource {

  /** The current ifindex to name table, sorted by ifindex; never null. */
  SortedMap<Long, String> current();

  /** No names: the options records carry no interface rows. */
  static IfNameSource none() {
    return Collections::emptySortedMap;
  }

  /** A fixed table. */
  static IfNameSource of(Map<Long, String> names) {
    SortedMap<Long, String> copy = Collections.unmodifiableSortedMap(new TreeMap<>(names));
    return () -> copy;
  }
}
