package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.IOException;

/**
 * Leaves a string value unquoted only when the loader's own YAML parser reads it back as that same
 * string: {@code eth0} stays plain, {@code 0x10}, {@code yes}, {@code ~} or {@code &x} get quotes.
 * Jackson's default check alone misses some of these (it writes {@code 0x10} plain).
 */
final class QuoteUnlessReadBack extends StringQuotingChecker.Default {

  private static final long serialVersionUID = 1L;
  private static final YAMLFactory READER = YAMLFactory.builder().build();

  @Override
  public boolean needToQuoteValue(String value) {
    return super.needToQuoteValue(value) || !readsBackAsItself(value);
  }

  private static boolean readsBackAsItself(String value) {
    try (JsonParser p = READER.createParser("v: " + value + "\n")) {
      if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
        return false;
      }
      return p.nextToken() == JsonToken.VALUE_STRING
          && !((YAMLParser) p).isCurrentAlias()
          && value.equals(p.getText())
          && p.nextToken() == JsonToken.END_OBJECT
          && p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
