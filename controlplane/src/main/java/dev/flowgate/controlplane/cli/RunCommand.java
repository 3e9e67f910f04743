package dev.flowgate.controlplane.cli;

import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.FlowgateDaemon;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.dataplane.MemoryBudget;
import dev.flowgate.controlplane.security.FilePermissionCheck;
import dev.flowgate.controlplane.security.UnsafePermissionsException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flowgate run --config FILE}: loads the config (a bad one, or config, secret or state files
 * with unsafe permissions, exit 2 before anything is attached), then runs the daemon in the
 * foreground and exits with its code.
 */
@Command(name = "run", description = "Run flowgate in the foreground with a config file.")
final class RunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The YAML config file, e.g. /etc/flowgate/flowgate.yaml.")
  Path config;

  @Override
  public Integer call() {
    FlowgateConfig loaded;
    try {
      loaded = ConfigLoader.load(config);
      FilePermissionCheck.check(loaded, config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return Main.BAD_CONFIG;
    } catch (UnsafePermissionsException e) {
      spec.commandLine().getErr().println("flowgate: " + e.getMessage());
      return Main.BAD_CONFIG;
    }
    OptionalLong available = MemoryBudget.available();
    if (NativeBpf.isAvailable() && available.isPresent()) {
      try {
        MemoryBudget.of(loaded, NativeBpf.nrPossibleCpus(), Runtime.getRuntime().maxMemory())
            .check(available.getAsLong());
      } catch (IllegalStateException e) {
        spec.commandLine().getErr().println(config + ": " + e.getMessage());
        return Main.BAD_CONFIG;
      }
    }
    return new FlowgateDaemon(loaded, config).run();
  }
}
