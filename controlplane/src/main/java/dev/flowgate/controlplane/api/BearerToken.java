package dev.flowgate.controlplane.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The bearer token of mutating calls, read once from the token file.
 *
 * <p>Only its SHA-256 is kept, and a presented token is hashed and compared with {@link
 * MessageDigest#isEqual} (constant time over equal-length arrays): hashing first makes the
 * comparison independent of the presented token's length and content.
 */
final class BearerToken {

  /**
   * Bits a token file must not have: group write and any access by others. Group read is allowed so
   * the packaged layout works: root owns the file, mode 0640, group {@code flowgate}, and the
   * service reads it through its group without being able to change it.
   */
  private static final Set<PosixFilePermission> GROUP_WRITE_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private final byte[] digest;

  private BearerToken(byte[] digest) {
    this.digest = digest;
  }

  /**
   * Reads the token file: a regular file, open to its owner and readable by its group only, holding
   * the token (surrounding white space, e.g. the final newline, is dropped). Blocks: call it on a
   * worker.
   *
   * @throws TokenFileException if the file is missing, not a regular file, writable by its group,
   *     open to others, or empty
   */
  static BearerToken load(Path file) throws TokenFileException {
    try {
      if (!Files.isRegularFile(file)) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          throw new TokenFileException(file, "does not exist", null);
        }
        throw new TokenFileException(file, "is not a regular file", null);
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
      open.addAll(perms);
      open.retainAll(GROUP_WRITE_OR_OTHERS);
      if (!open.isEmpty()) {
        throw new TokenFileException(
            file,
            "is writable by group or readable or writable by others (mode "
                + PosixFilePermissions.toString(perms)
                + "); run chmod 640 on it",
            null);
      }
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new TokenFileException(file, "is empty", null);
      }
      return new BearerToken(sha256(token));
    } catch (NoSuchFileException e) {
      throw new TokenFileException(file, "does not exist", e);
    } catch (IOException | UnsupportedOperationException e) {
      throw new TokenFileException(file, "cannot be read: " + e, e);
    }
  }

  /** True if {@code presented} is the token; constant time in the presented value. */
  boolean matches(String presented) {
    return MessageDigest.isEqual(digest, sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
