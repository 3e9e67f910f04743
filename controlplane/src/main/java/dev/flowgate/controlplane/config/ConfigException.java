package dev.flowgate.controlplane.config;

/**
 * A configuration file that cannot be used, with the place to fix it: file, line, column and the
 * full key path, e.g. {@code flowgate.yaml:7:15: flows.idle-timeout: "15x" is not a duration (use
 * an integer and ms, s, m or h)}.
 *
 * <p>{@link #getMessage()} is that whole line. Line and column are 1-based; 0 means the error has
 * no place in the text (the file could not be read). The key path is empty for errors about the
 * file as a whole (empty file, YAML syntax before the first key).
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String key;
  private final String detail;

  /**
   * An error at a place in a config file.
   *
   * @param file the file as the user named it
   * @param line 1-based line, or 0 if unknown
   * @param column 1-based column, or 0 if unknown
   * @param key full key path such as {@code interfaces[0].mode}, or "" for the file as a whole
   * @param detail what is wrong and, where possible, how to fix it
   */
  public ConfigException(String file, int line, int column, String key, String detail) {
    this(file, line, column, key, detail, null);
  }

  /** As {@link #ConfigException(String, int, int, String, String)}, keeping the cause. */
  public ConfigException(
      String file, int line, int column, String key, String detail, Throwable cause) {
    super(format(file, line, column, key, detail), cause);
    this.file = file;
    this.line = line;
    this.column = column;
    this.key = key == null ? "" : key;
    this.detail = detail;
  }

  /** The file as the user named it. */
  public String file() {
    return file;
  }

  /** 1-based line of the offending token, or 0 when there is none. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending token, or 0 when there is none. */
  public int column() {
    return column;
  }

  /** Full key path, e.g. {@code export.ipfix[1].transport}; "" for the file as a whole. */
  public String key() {
    return key;
  }

  /** What is wrong, without the file/line/column/key prefix. */
  public String detail() {
    return detail;
  }

  private static String format(String file, int line, int column, String key, String detail) {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line).append(':').append(column);
    }
    b.append(": ");
    if (key != null && !key.isEmpty()) {
      b.append(key).append(": ");
    }
    return b.append(detail).toString();
  }
}
