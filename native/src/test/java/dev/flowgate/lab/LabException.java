package dev.flowgate.lab;

/** A lab step (a command, a namespace, an interface) failed; the message says which and why. */
public final class LabException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public LabException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
