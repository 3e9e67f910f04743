package dev.flowgate.controlplane.config;

import java.util.List;

/** Key paths as the user reads them: {@code export.ipfix[0].collector}. */
final class KeyPath {

  private KeyPath() {}

  /** Joins segments; a segment {@code [n]} attaches to the one before it without a dot. */
  static String join(List<String> segments) {
    StringBuilder b = new StringBuilder();
    for (String s : segments) {
      if (b.length() > 0 && !s.startsWith("[")) {
        b.append('.');
      }
      b.append(s);
    }
    return b.toString();
  }

  /** {@code parent.key}, or {@code key} at the top. */
  static String child(String parent, String key) {
    if (parent.isEmpty()) {
      return key;
    }
    return key.startsWith("[") ? parent + key : parent + "." + key;
  }
}
