package dev.flowgate.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One external command (iproute2, sysctl, nsenter, python3), run to completion with its output
 * captured. The lab drives the kernel through the same tools an operator would use.
 */
public final class Command {
  private Command() {}

  /** What a finished command left behind. */
  public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
    /** True when the command exited 0. */
    public boolean ok() {
      return exitCode == 0;
    }

    /** This result, or a {@link LabException} naming the command, its exit code and stderr. */
    public Result orThrow() {
      if (!ok()) {
        throw new LabException(
            String.join(" ", argv)
                + " exited "
                + exitCode
                + ": "
                + stderr.strip()
                + " "
                + stdout.strip());
      }
      return this;
    }
  }

  /**
   * Runs {@code argv} and waits for it; never throws for a non-zero exit (see {@link
   * Result#orThrow}).
   */
  public static Result run(List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Process p = pb.start();
      CompletableFuture<String> err =
          CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      String out = drain(p.getInputStream());
      int code = p.waitFor();
      return new Result(List.copyOf(argv), code, out, err.get());
    } catch (IOException e) {
      throw new LabException("cannot start " + String.join(" ", argv), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + String.join(" ", argv), e);
    } catch (ExecutionException e) {
      throw new LabException("cannot read stderr of " + String.join(" ", argv), e);
    }
  }

  /** Runs {@code argv}; a non-zero exit is a {@link LabException}. */
  public static Result check(String... argv) {
    return run(List.of(argv)).orThrow();
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
