package dev.flowgate.controlplane.security;

import java.util.List;

/** Config, secret or state files that others could read or change: flowgate does not start. */
public final class UnsafePermissionsException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** One exception for every problem found, each a sentence naming the file and the fix. */
  public UnsafePermissionsException(List<String> problems) {
    super("unsafe permissions, refusing to start:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one sentence each. */
  public List<String> problems() {
    return problems;
  }
}
