package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonToken;
import java.util.List;
import java.util.Map;

/**
 * A YAML value as read, with where it starts in the file: the loader's view between the YAML parser
 * and the typed config. Package-private; nothing outside the loader sees it.
 */
sealed interface ConfigNode {

  /** 1-based line of the value's first character. */
  int line();

  /** 1-based column of the value's first character. */
  int column();

  /** "a mapping", "a list", or the scalar as written, for "expected X, got Y" messages. */
  String describe();

  /** A mapping; entries keep the file's order. */
  record Mapping(int line, int column, Map<String, Entry> entries) implements ConfigNode {
    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One key of a mapping and its value; the key's own place is kept for unknown-key errors. */
  record Entry(int keyLine, int keyColumn, ConfigNode value) {}

  /** A list. */
  record Sequence(int line, int column, List<ConfigNode> items) implements ConfigNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar.
   *
   * @param token how YAML typed it: VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE,
   *     VALUE_FALSE or VALUE_NULL (an empty plain scalar is VALUE_NULL here)
   * @param text the scalar's text
   */
  record Scalar(int line, int column, JsonToken token, String text) implements ConfigNode {

    /** True when the value is absent ({@code key:}, {@code ~}, {@code null}, or ""). */
    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    @Override
    public String describe() {
      return switch (token) {
        case VALUE_STRING -> quote(text);
        case VALUE_NULL -> "nothing";
        default -> text;
      };
    }
  }

  /** {@code text} in double quotes, with quotes, backslashes and controls escaped. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
