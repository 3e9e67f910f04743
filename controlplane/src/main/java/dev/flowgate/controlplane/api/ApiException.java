package dev.flowgate.controlplane.api;

/**
 * A refusal that the API answers with a given status and the body {@code {"error", "detail"}}.
 * Thrown by {@link ApiBackend} implementations and by the request validation.
 */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  /**
   * @param status the HTTP status, 400 to 599
   * @param detail what was wrong, for a human; it is sent to the client
   */
  public ApiException(int status, String detail) {
    super(detail);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400..599, was " + status);
    }
    this.status = status;
  }

  /** 400: the request is invalid. */
  public static ApiException badRequest(String detail) {
    return new ApiException(400, detail);
  }

  /** 404: no such entry. */
  public static ApiException notFound(String detail) {
    return new ApiException(404, detail);
  }

  /** 409: the entry already exists. */
  public static ApiException conflict(String detail) {
    return new ApiException(409, detail);
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }

  /** What was wrong, for a human. */
  public String detail() {
    return getMessage();
  }
}
