package dev.flowgate.controlplane.cli;

import dev.flowgate.controlplane.config.ConfigException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * A command that talks to a running flowgate through its API ({@code status}, {@code top}, {@code
 * flows}, {@code flush}). Exit codes: {@value Main#OK} done, {@value Main#FAILURE} the API cannot be
 * reached or refused the call (the reason on stderr), {@value Main#BAD_CONFIG} the config file is
 * bad or the command line is wrong.
 */
abstract class ClientCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ApiTarget target;

  @Override
  public final Integer call() {
    ApiClient client;
    try {
      client = target.client();
    } catch (ConfigException e) {
      err().println(e.getMessage());
      return Main.BAD_CONFIG;
    }
    try {
      run(client, out());
      out().flush();
      return Main.OK;
    } catch (ApiCallException e) {
      out().flush();
      err().println("flowgate " + spec.name() + ": " + e.getMessage());
      return Main.FAILURE;
    }
  }

  /** Does the command's work; throws {@link ApiCallException} when a call fails. */
  abstract void run(ApiClient api, PrintWriter out);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
