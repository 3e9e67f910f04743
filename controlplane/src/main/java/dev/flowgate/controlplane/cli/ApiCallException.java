package dev.flowgate.controlplane.cli;

/** A call to flowgate's API failed; the message is one line for the operator (exit 1). */
final class ApiCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ApiCallException(String message) {
    super(message);
  }
}
