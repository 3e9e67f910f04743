package dev.flowgate.controlplane.config;

import java.nio.file.Path;

/**
 * The API's {@code tls:} setting: serve HTTPS with this certificate.
 *
 * @param cert absolute path of the PEM certificate (chain)
 * @param key absolute path of the PEM private key
 */
public record TlsConfig(Path cert, Path key) {

  /** Checks both paths are absolute. */
  public TlsConfig {
    PathRule.absolute("cert", cert);
    PathRule.absolute("key", key);
  }
}
