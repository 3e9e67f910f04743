package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonToken;
import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of the config file being read, with its key path: typed getters that turn every wrong
 * value into a {@link ConfigException} at that value's line and column.
 *
 * <p>An absent section (or one written with no value, {@code metrics:}) reads as empty, so every
 * getter returns its default; its errors point at where the section would be.
 */
final class Section {

  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+");
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)|\\[([0-9]+)]");

  private final String file;
  private final String path;
  private final Map<String, ConfigNode.Entry> entries;
  private final int line;
  private final int column;

  private Section(
      String file, String path, Map<String, ConfigNode.Entry> entries, int line, int column) {
    this.file = file;
    this.path = path;
    this.entries = entries;
    this.line = line;
    this.column = column;
  }

  /**
   * The section at {@code node}; a null scalar is an empty section.
   *
   * @param what how to describe the mapping in a type error, e.g. "a mapping"
   */
  static Section of(String file, String path, ConfigNode node, String what) throws ConfigException {
    if (node instanceof ConfigNode.Mapping m) {
      return new Section(file, path, m.entries(), m.line(), m.column());
    }
    if (node instanceof ConfigNode.Scalar s && s.isNull()) {
      return new Section(file, path, Map.of(), s.line(), s.column());
    }
    throw new ConfigException(
        file, node.line(), node.column(), path, "expected " + what + ", got " + node.describe());
  }

  /** The key path of this section ("" at the top). */
  String path() {
    return path;
  }

  /** The file name errors carry. */
  String file() {
    return file;
  }

  /** Fails on the first key, in file order, that is not one of {@code known}. */
  void allowOnly(String... known) throws ConfigException {
    List<String> knownKeys = Arrays.asList(known);
    for (Map.Entry<String, ConfigNode.Entry> e : entries.entrySet()) {
      if (!knownKeys.contains(e.getKey())) {
        throw unknownKey(e.getKey(), e.getValue(), knownKeys);
      }
    }
  }

  /** The "unknown key" error for {@code key}, with a suggestion or the list of known keys. */
  ConfigException unknownKey(String key, ConfigNode.Entry entry, List<String> known) {
    String hint =
        KeySuggestion.closest(key, known)
            .map(k -> "did you mean " + k + "?")
            .orElseGet(() -> "expected " + oneOf(known));
    return new ConfigException(
        file,
        entry.keyLine(),
        entry.keyColumn(),
        KeyPath.child(path, key),
        "unknown key (" + hint + ")");
  }

  /** The keys present, in file order. */
  List<String> keys() {
    return new ArrayList<>(entries.keySet());
  }

  /** The value of {@code key}, if present. */
  Optional<ConfigNode> node(String key) {
    ConfigNode.Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  /** The entry of {@code key}, if present. */
  Optional<ConfigNode.Entry> entry(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  /** The child mapping {@code key}; empty when absent. */
  Section section(String key) throws ConfigException {
    ConfigNode.Entry e = entries.get(key);
    if (e == null) {
      return new Section(file, KeyPath.child(path, key), Map.of(), line, column);
    }
    return of(file, KeyPath.child(path, key), e.value(), "a mapping");
  }

  /** The items of the list {@code key}; empty when absent or written with no value. */
  List<ConfigNode> list(String key) throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isEmpty() || n.get() instanceof ConfigNode.Scalar s && s.isNull()) {
      return List.of();
    }
    if (n.get() instanceof ConfigNode.Sequence seq) {
      return seq.items();
    }
    throw typeError(key, n.get(), "a list");
  }

  /**
   * A required string.
   *
   * @param missing the error's text when the key is absent
   */
  String requiredString(String key, String missing) throws ConfigException {
    require(key, missing);
    return scalar(key, "a string", Function.identity()).orElseThrow();
  }

  /**
   * Fails when {@code key} is absent, pointing at this section.
   *
   * @param missing the error's text, e.g. "is required (host:port of the collector)"
   */
  void require(String key, String missing) throws ConfigException {
    if (!entries.containsKey(key)) {
      throw new ConfigException(file, line, column, KeyPath.child(path, key), missing);
    }
  }

  /** A decimal integer in {@code min..max}, or {@code fallback} when absent. */
  long integer(String key, long fallback, long min, long max) throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isEmpty()) {
      return fallback;
    }
    ConfigNode v = n.get();
    if (!(v instanceof ConfigNode.Scalar s) || s.token() != JsonToken.VALUE_NUMBER_INT) {
      throw typeError(key, v, "an integer");
    }
    if (!DECIMAL.matcher(s.text()).matches()) {
      throw error(v, key, "expected a decimal integer, got " + s.text());
    }
    BigInteger value = new BigInteger(s.text());
    if (value.compareTo(BigInteger.valueOf(min)) < 0
        || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw error(v, key, Check.outOfRange(value, min, max));
    }
    return value.longValueExact();
  }

  /** An int in {@code min..max}, or {@code fallback} when absent. */
  int integer(String key, int fallback, int min, int max) throws ConfigException {
    return (int) integer(key, (long) fallback, min, max);
  }

  /** {@code true} or {@code false} (YAML 1.1's yes/no/on/off are refused), or the fallback. */
  boolean bool(String key, boolean fallback) throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isEmpty()) {
      return fallback;
    }
    if (n.get() instanceof ConfigNode.Scalar s
        && (s.token() == JsonToken.VALUE_TRUE || s.token() == JsonToken.VALUE_FALSE)
        && (s.text().equalsIgnoreCase("true") || s.text().equalsIgnoreCase("false"))) {
      return s.token() == JsonToken.VALUE_TRUE;
    }
    throw typeError(key, n.get(), "true or false");
  }

  /** A duration ({@link DurationFormat}), or {@code fallback} when absent. */
  Duration duration(String key, Duration fallback) throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isEmpty()) {
      return fallback;
    }
    if (n.get() instanceof ConfigNode.Scalar s
        && (s.token() == JsonToken.VALUE_STRING || s.token() == JsonToken.VALUE_NUMBER_INT)) {
      Optional<Duration> d = DurationFormat.parse(s.text());
      if (d.isEmpty()) {
        throw error(s, key, s.describe() + " is not a duration (" + DurationFormat.HINT + ")");
      }
      return d.get();
    }
    throw typeError(key, n.get(), "a duration such as 15s");
  }

  /**
   * One of an enum's labels, or {@code fallback} when absent.
   *
   * @param what the setting's noun, e.g. "mode"
   */
  <E extends Enum<E>> E choice(
      String key, E fallback, E[] values, Function<E, String> label, String what)
      throws ConfigException {
    List<String> labels = Arrays.stream(values).map(label).toList();
    return scalar(
            key,
            oneOf(labels),
            text -> {
              for (E v : values) {
                if (label.apply(v).equals(text)) {
                  return v;
                }
              }
              throw new IllegalArgumentException(
                  ConfigNode.quote(text) + " is not a " + what + " (use " + oneOf(labels) + ")");
            })
        .orElse(fallback);
  }

  /** A string, or {@code fallback} when absent. */
  String string(String key, String fallback) throws ConfigException {
    return scalar(key, "a string", Function.identity()).orElse(fallback);
  }

  /**
   * A list of strings (a single string reads as a list of one); empty when absent.
   *
   * @param what how to describe one item in a type error, e.g. "host:port"
   */
  List<String> stringList(String key, String what) throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isPresent() && n.get() instanceof ConfigNode.Scalar s && s.token() == JsonToken.VALUE_STRING) {
      return List.of(s.text());
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode item : list(key)) {
      if (!(item instanceof ConfigNode.Scalar s) || s.token() != JsonToken.VALUE_STRING) {
        throw error(item, key, "expected " + what + ", got " + item.describe());
      }
      out.add(s.text());
    }
    return out;
  }

  /** A {@code host:port}, or {@code fallback} when absent. */
  HostPort hostPort(String key, HostPort fallback) throws ConfigException {
    return scalar(key, "host:port", HostPort::parse).orElse(fallback);
  }

  /** A path (absoluteness is the record's rule), or {@code fallback} when absent. */
  Path path(String key, Path fallback) throws ConfigException {
    return optionalPath(key).orElse(fallback);
  }

  /** A path, if present. */
  Optional<Path> optionalPath(String key) throws ConfigException {
    return scalar(key, "a path", Section::toPath);
  }

  /**
   * Runs a record constructor; an {@link InvalidSettingException} becomes a ConfigException at the
   * first of its keys present under this section.
   */
  <T> T build(Supplier<T> constructor) throws ConfigException {
    try {
      return constructor.get();
    } catch (InvalidSettingException e) {
      for (String key : e.keys()) {
        Optional<ConfigNode> at = find(key);
        if (at.isPresent()) {
          throw error(at.get(), key, e.detail());
        }
      }
      throw new ConfigException(
          file, line, column, KeyPath.child(path, e.keys().get(0)), e.detail(), e);
    }
  }

  /** An error about the value of {@code key} (a path relative to this section). */
  ConfigException error(ConfigNode at, String key, String detail) {
    return new ConfigException(file, at.line(), at.column(), KeyPath.child(path, key), detail);
  }

  private ConfigException typeError(String key, ConfigNode v, String expected) {
    if (v instanceof ConfigNode.Scalar s && s.isNull()) {
      return error(v, key, "has no value (expected " + expected + ")");
    }
    return error(v, key, "expected " + expected + ", got " + v.describe());
  }

  /** A string-typed scalar converted by {@code convert}, whose IAE message is the error. */
  private <T> Optional<T> scalar(String key, String expected, Function<String, T> convert)
      throws ConfigException {
    Optional<ConfigNode> n = node(key);
    if (n.isEmpty()) {
      return Optional.empty();
    }
    if (!(n.get() instanceof ConfigNode.Scalar s) || s.token() != JsonToken.VALUE_STRING) {
      throw typeError(key, n.get(), expected);
    }
    try {
      return Optional.of(convert.apply(s.text()));
    } catch (IllegalArgumentException e) {
      throw error(s, key, e.getMessage());
    }
  }

  /** The node at a relative key path such as {@code ipfix[1].collector}. */
  private Optional<ConfigNode> find(String relative) {
    Matcher m = SEGMENT.matcher(relative);
    ConfigNode current = new ConfigNode.Mapping(line, column, entries);
    while (m.find()) {
      if (m.group(1) != null && current instanceof ConfigNode.Mapping map) {
        ConfigNode.Entry e = map.entries().get(m.group(1));
        if (e == null) {
          return Optional.empty();
        }
        current = e.value();
      } else if (m.group(2) != null && current instanceof ConfigNode.Sequence seq) {
        int i = Integer.parseInt(m.group(2));
        if (i >= seq.items().size()) {
          return Optional.empty();
        }
        current = seq.items().get(i);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  private static Path toPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(ConfigNode.quote(text) + " is not a path");
    }
  }

  /** "a, b or c". */
  static String oneOf(List<String> words) {
    if (words.size() == 1) {
      return words.get(0);
    }
    return String.join(", ", words.subList(0, words.size() - 1))
        + " or "
        + words.get(words.size() - 1);
  }
}
