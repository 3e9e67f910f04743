package dev.flowgate.controlplane.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code api:} section: the HTTP API (and /metrics) listener.
 *
 * @param listen address and port; port 0 picks a free port (for tests)
 * @param tokenFile file holding the bearer token for mutating calls and capture; empty = no token,
 *     allowed only on a loopback listener
 * @param tls serve HTTPS; empty = plain HTTP
 */
public record ApiConfig(HostPort listen, Optional<Path> tokenFile, Optional<TlsConfig> tls) {

  /** Default listen: 127.0.0.1:9740, reachable from this machine only. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9740);

  /**
   * Checks the token file is absolute, and that a listener reachable from other machines has a
   * token.
   */
  public ApiConfig {
    Check.present("listen", listen);
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(tls, "tls");
    tokenFile.ifPresent(p -> PathRule.absolute("token-file", p));
    if (tokenFile.isEmpty() && !listen.isLoopback()) {
      throw new InvalidSettingException(
          "listen",
          listen
              + " is not a loopback address, so a token-file is required"
              + " (the API can change what is monitored and capture packets)");
    }
  }

  /** Every default: 127.0.0.1:9740, no token, plain HTTP. */
  public static ApiConfig defaults() {
    return new ApiConfig(DEFAULT_LISTEN, Optional.empty(), Optional.empty());
  }
}
