package dev.flowgate.controlplane.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code flowgate} command: {@code run --config FILE}, {@code check-config FILE}, {@code
 * version}. Exit codes: {@value #OK} ok, {@value #BAD_CONFIG} bad config or usage, {@value
 * #FAILURE} runtime failure.
 */
@Command(
    name = "flowgate",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand
    versionProvider = FlowgateVersion.class,
    description = "eBPF flow probe for Linux gateways.",
    subcommands = {
      RunCommand.class,
      CheckConfigCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {

  /** Exit code 0: done, or a clean stop. */
  public static final int OK = 0;

  /** Exit code 1: a runtime failure (the config was fine). */
  public static final int FAILURE = 1;

  /** Exit code 2: a bad config file or bad command-line usage; nothing was attached. */
  public static final int BAD_CONFIG = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line on the process's stdout and stderr; returns the exit code. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /**
   * Runs the command line; returns the exit code instead of exiting (for tests and embedding).
   *
   * @param out where results go ("FILE: ok", the version)
   * @param err where errors and usage help go
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("flowgate: " + e);
          e.printStackTrace(commandLine.getErr());
          commandLine.getErr().flush();
          return FAILURE;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** {@code flowgate} alone: usage on stderr, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return BAD_CONFIG;
  }
}
