package dev.flowgate.controlplane.journal;

import java.io.IOException;

/** A journal frame or snapshot that is whole but fails its checks (CRC, magic, lengths). */
public final class JournalCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  public JournalCorruptException(String message) {
    super(message);
  }
}
