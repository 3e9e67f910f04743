package dev.flowgate.controlplane.cli;

import dev.flowgate.controlplane.config.ApiConfig;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config} option of the commands that talk to a running flowgate ({@code status},
 * {@code top}, {@code flows}, {@code flush}): the API's address, TLS certificate and token file
 * come from the same config file the daemon runs with.
 */
final class ApiTarget {

  /** The package's config file: /etc/flowgate/flowgate.yaml. */
  static final String DEFAULT_CONFIG = "/etc/flowgate/flowgate.yaml";

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = DEFAULT_CONFIG,
      description =
          "The config file flowgate runs with: where its API listens, its TLS certificate and"
              + " token file (default: ${DEFAULT-VALUE}).")
  Path config;

  /**
   * A client of the API the config describes.
   *
   * @throws ConfigException if the config file is bad
   */
  ApiClient client() throws ConfigException {
    FlowgateConfig loaded = ConfigLoader.load(config);
    ApiConfig api = loaded.api();
    String token = null;
    String tokenProblem = null;
    if (api.tokenFile().isPresent()) {
      Path file = api.tokenFile().get();
      try {
        token = Files.readString(file).strip();
      } catch (IOException e) {
        tokenProblem =
            "cannot read the token file "
                + file
                + " ("
                + e.getClass().getSimpleName()
                + "); run as root or as a member of the group that may read it";
      }
    }
    return new ApiClient(api.listen(), api.tls().map(t -> t.cert()), token, tokenProblem);
  }
}
