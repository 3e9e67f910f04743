package dev.flowgate.controlplane.config;

import java.util.List;

/**
 * A setting whose value breaks a rule of the config classes (a range, or a rule between two
 * settings). Thrown by the config records' constructors, so a value built in code (for example from
 * an API request) is checked exactly like one read from a file; the loader turns it into a {@link
 * ConfigException} pointing at the offending key in the file.
 */
public final class InvalidSettingException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final List<String> keys;
  private final String detail;

  /**
   * A broken rule.
   *
   * @param keys the keys involved, relative to the section (e.g. {@code idle-timeout}), most likely
   *     culprit first; the loader blames the first one present in the file
   * @param detail what is wrong, without the key
   */
  public InvalidSettingException(List<String> keys, String detail) {
    super(keys.get(0) + ": " + detail);
    this.keys = List.copyOf(keys);
    this.detail = detail;
  }

  /** A broken rule about one key. */
  public InvalidSettingException(String key, String detail) {
    this(List.of(key), detail);
  }

  /** The keys involved, relative to their section, most likely culprit first. */
  public List<String> keys() {
    return keys;
  }

  /** What is wrong, without the key. */
  public String detail() {
    return detail;
  }
}
