package dev.flowgate.controlplane.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code flowgate version}: prints {@code flowgate <version>}, exit 0. */
@Command(name = "version", description = "Print flowgate's version.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(FlowgateVersion.line());
    return Main.OK;
  }
}
