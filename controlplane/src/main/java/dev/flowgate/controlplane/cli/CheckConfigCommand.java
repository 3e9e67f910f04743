package dev.flowgate.controlplane.cli;

import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.dataplane.MemoryBudget;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flowgate check-config FILE}: loads the file and prints {@code FILE: ok} (exit 0), or the
 * error {@code FILE:LINE:COLUMN: KEY: what is wrong} on stderr (exit 2). Nothing is attached.
 */
@Command(
    name = "check-config",
    description = "Check a config file without running: prints FILE: ok, or the error (exit 2).")
final class CheckConfigCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The YAML config file.")
  Path file;

  @Option(
      names = "--effective",
      description =
          "Print the effective config (every default spelled out) as YAML on stdout;"
              + " FILE: ok then goes to stderr.")
  boolean effective;

  @Override
  public Integer call() {
    FlowgateConfig config;
    try {
      config = ConfigLoader.load(file);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return Main.BAD_CONFIG;
    }
    if (effective) {
      spec.commandLine().getOut().print(config.toYaml());
      // as YAML comments, so the output still loads: what this config can take at most here
      if (NativeBpf.isAvailable()) {
        MemoryBudget budget =
            MemoryBudget.of(config, NativeBpf.nrPossibleCpus(), Runtime.getRuntime().maxMemory());
        spec.commandLine()
            .getOut()
            .println("# memory on " + NativeBpf.nrPossibleCpus() + " possible CPUs:");
        for (String line : budget.lines()) {
          spec.commandLine().getOut().println("#   " + line);
        }
      }
      spec.commandLine().getErr().println(file + ": ok");
    } else {
      spec.commandLine().getOut().println(file + ": ok");
    }
    return Main.OK;
  }
}
