package dev.flowgate.controlplane.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads flowgate's YAML configuration (config/flowgate.yaml documents every key; docs/design.md,
 * "Contracts users see", the departures).
 *
 * <p>Every problem is a {@link ConfigException} naming the file, line, column and key path: unknown
 * keys (with a suggestion when one is close), wrong types, out-of-range values, rules between
 * settings, duplicate keys, YAML syntax errors, an empty file. The first problem in the file wins.
 * Absent settings take the defaults documented on the config records.
 */
public final class ConfigLoader {

  /** Largest config file read: 1 MiB, far beyond any real config. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private ConfigLoader() {}

  /**
   * Loads {@code file}; errors name it as given (e.g. {@code /etc/flowgate/flowgate.yaml}).
   *
   * @throws ConfigException if the file cannot be read or is not a valid config
   */
  public static FlowgateConfig load(Path file) throws ConfigException {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new ConfigException(name, 0, 0, "", "cannot read: is a directory");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(
            name, 0, 0, "", "cannot read: larger than " + MAX_FILE_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name, 0, 0, "", "cannot read: no such file", e);
    } catch (IOException e) {
      throw new ConfigException(name, 0, 0, "", "cannot read: " + e, e);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(name, 0, 0, "", "cannot read: not UTF-8 text", e);
    }
    return parse(text, name);
  }

  /**
   * Reads a config from {@code yaml}.
   *
   * @param file the name errors carry
   * @throws ConfigException if it is not a valid config
   */
  public static FlowgateConfig parse(String yaml, String file) throws ConfigException {
    ConfigNode root = YamlTreeReader.read(file, yaml);
    return ConfigReader.read(file, root);
  }
}
