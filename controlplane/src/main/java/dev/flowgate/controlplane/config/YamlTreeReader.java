package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML text into {@link ConfigNode}s with Jackson's YAML streaming parser, keeping every
 * token's line and column. Rejects what a config file never needs and what would hide mistakes:
 * duplicate keys, aliases, non-scalar keys, a second document, an empty file.
 */
final class YamlTreeReader {

  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

  private final String file;
  private final YAMLParser parser;

  /** Key path of the value being read, for errors in the middle of it (syntax errors). */
  private final List<String> path = new ArrayList<>();

  private YamlTreeReader(String file, YAMLParser parser) {
    this.file = file;
    this.parser = parser;
  }

  /**
   * The single document in {@code text}.
   *
   * @param file the name errors carry
   */
  static ConfigNode read(String file, String text) throws ConfigException {
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
      YamlTreeReader reader = new YamlTreeReader(file, parser);
      return reader.document();
    } catch (IOException e) {
      // only from close() of an in-memory parser: cannot happen
      throw new ConfigException(file, 0, 0, "", "cannot read: " + e.getMessage(), e);
    }
  }

  private ConfigNode document() throws ConfigException {
    try {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new ConfigException(
            file, 1, 1, "", "the file is empty (expected settings such as interfaces: and flows:)");
      }
      ConfigNode root = value(first);
      if (parser.nextToken() != null) {
        JsonLocation at = parser.currentTokenLocation();
        throw new ConfigException(
            file,
            at.getLineNr(),
            at.getColumnNr(),
            "",
            "a second YAML document; a config file holds exactly one");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    } catch (IOException e) {
      throw new ConfigException(file, 0, 0, keyPath(), "cannot read: " + e.getMessage(), e);
    }
  }

  private ConfigNode value(JsonToken token) throws IOException, ConfigException {
    JsonLocation at = parser.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    if (parser.isCurrentAlias()) {
      throw new ConfigException(
          file,
          line,
          column,
          keyPath(),
          "YAML aliases (*" + parser.getText() + ") are not supported; write the value out");
    }
    return switch (token) {
      case START_OBJECT -> mapping(line, column);
      case START_ARRAY -> sequence(line, column);
      case VALUE_STRING -> {
        String text = parser.getText();
        // the parser reports an empty plain scalar (`key:`) as an empty string: it is "no value"
        yield new ConfigNode.Scalar(
            line, column, text.isEmpty() ? JsonToken.VALUE_NULL : JsonToken.VALUE_STRING, text);
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL ->
          new ConfigNode.Scalar(line, column, token, parser.getText());
      default ->
          throw new ConfigException(
              file, line, column, keyPath(), "unexpected YAML token " + token);
    };
  }

  private ConfigNode.Mapping mapping(int line, int column) throws IOException, ConfigException {
    Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      JsonLocation at = parser.currentTokenLocation();
      String key = parser.currentName();
      path.add(key);
      ConfigNode.Entry first = entries.get(key);
      if (first != null) {
        throw new ConfigException(
            file,
            at.getLineNr(),
            at.getColumnNr(),
            keyPath(),
            "duplicate key (first set at line " + first.keyLine() + ")");
      }
      ConfigNode v = value(parser.nextToken());
      entries.put(key, new ConfigNode.Entry(at.getLineNr(), at.getColumnNr(), v));
      path.remove(path.size() - 1);
    }
    if (token != JsonToken.END_OBJECT) {
      throw new ConfigException(file, line, column, keyPath(), "unexpected YAML token " + token);
    }
    return new ConfigNode.Mapping(line, column, entries);
  }

  private ConfigNode.Sequence sequence(int line, int column) throws IOException, ConfigException {
    List<ConfigNode> items = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      path.add("[" + items.size() + "]");
      items.add(value(token));
      path.remove(path.size() - 1);
    }
    return new ConfigNode.Sequence(line, column, items);
  }

  private ConfigException syntaxError(JsonProcessingException e) {
    String key = keyPath();
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      Mark at = m.getProblemMark();
      StringBuilder detail = new StringBuilder("YAML syntax error: ").append(m.getProblem());
      Mark ctx = m.getContextMark();
      // the context ("while parsing a flow sequence") helps when it started elsewhere
      if (m.getContext() != null
          && ctx != null
          && (ctx.getLine() != at.getLine() || ctx.getColumn() != at.getColumn())) {
        detail
            .append(" (")
            .append(m.getContext())
            .append(" at ")
            .append(ctx.getLine() + 1)
            .append(':')
            .append(ctx.getColumn() + 1)
            .append(')');
      }
      return new ConfigException(
          file, at.getLine() + 1, at.getColumn() + 1, key, detail.toString(), e);
    }
    // Jackson's own complaints, e.g. a mapping used as a key
    JsonLocation at = e.getLocation();
    String detail = e.getOriginalMessage();
    if (detail != null && detail.startsWith("Expected a field name")) {
      detail = "only plain words can be keys";
    }
    return new ConfigException(
        file,
        at == null ? 0 : at.getLineNr(),
        at == null ? 0 : at.getColumnNr(),
        key,
        "YAML syntax error: " + detail,
        e);
  }

  private String keyPath() {
    return KeyPath.join(path);
  }
}
