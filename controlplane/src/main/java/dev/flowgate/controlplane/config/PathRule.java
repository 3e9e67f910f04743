package dev.flowgate.controlplane.config;

import java.nio.file.Path;

/** The rule for every path in the config: absolute, so it does not depend on the working dir. */
final class PathRule {

  private PathRule() {}

  /** {@code path} must be present and absolute. */
  static Path absolute(String key, Path path) {
    Check.present(key, path);
    if (!path.isAbsolute()) {
      throw new InvalidSettingException(key, "\"" + path + "\" is not an absolute path");
    }
    return path;
  }
}
