package dev.flowgate.controlplane.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The one place for the names of interface entries (the config file's and the API's alike): a Linux
 * interface name or {@code /regex/}, and the id the API addresses an entry by.
 *
 * <p>A Linux name follows the kernel's {@code dev_valid_name()}: 1 to {@value #MAX_NAME_BYTES}
 * bytes (IFNAMSIZ 16 with the NUL), not {@code .} or {@code ..}, no {@code /}, {@code :} or white
 * space; flowgate also refuses control characters. A regex has 1 to {@value #MAX_REGEX_CHARS}
 * characters between the slashes and compiles (Java syntax). An entry's id is its name, or for a
 * regex entry {@code re:} and the first 12 hex digits of the SHA-256 of the name with its slashes:
 * the colon cannot occur in an interface name, so the two kinds of id never collide.
 */
public final class InterfaceName {

  /** {@value}: the longest interface name in bytes (IFNAMSIZ less the NUL). */
  public static final int MAX_NAME_BYTES = 15;

  /** {@value}: the longest regex, between the slashes, in characters. */
  public static final int MAX_REGEX_CHARS = 256;

  /** {@value}: the prefix of a regex entry's id. */
  public static final String REGEX_ID_PREFIX = "re:";

  private static final Pattern REGEX_ID = Pattern.compile("re:[0-9a-f]{12}");

  private InterfaceName() {}

  /** True if {@code name} is a {@code /regex/} entry name (checked or not). */
  public static boolean isRegex(String name) {
    return name.length() >= 2 && name.startsWith("/") && name.endsWith("/");
  }

  /** The regex of a {@code /regex/} entry name, without the slashes. */
  public static String regexText(String name) {
    return name.substring(1, name.length() - 1);
  }

  /** What is wrong with an entry name (a Linux name or {@code /regex/}), or null if nothing. */
  public static String problem(String name) {
    return isRegex(name) ? regexProblem(name) : linuxNameProblem(name);
  }

  /** What is wrong with a Linux interface name (no regex), or null if nothing. */
  public static String linuxNameProblem(String name) {
    if (name.isEmpty()) {
      return "is empty";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      return "\"" + printable(name) + "\" is longer than " + MAX_NAME_BYTES + " bytes";
    }
    if (name.equals(".") || name.equals("..")) {
      return "\"" + name + "\" is not an interface name";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "\""
            + printable(name)
            + "\" is not an interface name (no '/', ':', white space or control character;"
            + " write a regex as /regex/)";
      }
    }
    return null;
  }

  /** What is wrong with an id (an interface name, or {@code re:} and 12 hex digits), or null. */
  public static String idProblem(String id) {
    if (id.startsWith(REGEX_ID_PREFIX)) {
      return REGEX_ID.matcher(id).matches()
          ? null
          : "a regex entry's id is re: and 12 lower-case hex digits, was '" + printable(id) + "'";
    }
    return linuxNameProblem(id);
  }

  /**
   * The id of the entry with this name: a plain name is its own id; a {@code /regex/} entry's is
   * {@code re:} and the first 12 hex digits of the SHA-256 of the name (slashes included).
   */
  public static String idOf(String name) {
    if (!isRegex(name)) {
      return name;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return REGEX_ID_PREFIX + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String regexProblem(String name) {
    String regex = regexText(name);
    if (regex.isEmpty()) {
      return "the regex between the slashes is empty";
    }
    if (regex.length() > MAX_REGEX_CHARS) {
      return "the regex is " + regex.length() + " characters, at most " + MAX_REGEX_CHARS;
    }
    try {
      Pattern.compile(regex);
      return null;
    } catch (PatternSyntaxException e) {
      return "\""
          + name
          + "\" is not a valid regex: "
          + e.getDescription()
          + " near index "
          + e.getIndex();
    }
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }
}
