package dev.flowgate.controlplane.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's {@code promtool} (package prometheus, `make deps`). */
public final class Promtool {

  /** What promtool printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {}

  private Promtool() {}

  /** {@code promtool check metrics}, the exposition on stdin (Prometheus text format). */
  public static Result checkMetrics(byte[] exposition) throws IOException, InterruptedException {
    return run(List.of("check", "metrics"), exposition);
  }

  /** {@code promtool <args>}, with {@code stdin} (may be empty); 60 s at most. */
  public static Result run(List<String> args, byte[] stdin)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("promtool");
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool " + args + " did not finish in 60 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
