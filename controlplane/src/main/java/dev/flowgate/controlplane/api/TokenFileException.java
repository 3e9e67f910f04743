package dev.flowgate.controlplane.api;

import java.nio.file.Path;

/**
 * The API token file is missing, unreadable, empty, or writable by its group or open to others: no
 * start.
 */
public final class TokenFileException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The refused file. */
  private final transient Path file;

  TokenFileException(Path file, String reason, Throwable cause) {
    super("api token file " + file + ": " + reason, cause);
    this.file = file;
  }

  /** The refused file. */
  public Path file() {
    return file;
  }
}
