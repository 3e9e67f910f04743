package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.InterfaceConfig;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The names of interface entries: a Linux interface name or {@code /regex/}, and the ids the API
 * addresses entries by.
 *
 * <p>A Linux name follows the kernel's {@code dev_valid_name()}: 1 to {@value #MAX_NAME_BYTES}
 * bytes (IFNAMSIZ 16 with the NUL), not {@code .} or {@code ..}, no {@code /}, {@code :} or white
 * space; flowgate also refuses control characters. An entry's id is its name, or for a regex entry
 * {@code re:} and the first 12 hex digits of the SHA-256 of the name with its slashes: the colon
 * cannot occur in an interface name, so the two kinds of id never collide.
 */
public final class InterfaceNames {

  /** {@value}: the longest interface name in bytes (IFNAMSIZ less the NUL). */
  public static final int MAX_NAME_BYTES = 15;

  /** {@value}: the longest regex, between the slashes, in characters. */
  public static final int MAX_REGEX_CHARS = 256;

  /** {@value}: the prefix of a regex entry's id. */
  public static final String REGEX_ID_PREFIX = "re:";

  private static final Pattern REGEX_ID = Pattern.compile("re:[0-9a-f]{12}");

  private InterfaceNames() {}

  /** True if {@code name} is a {@code /regex/} entry name (checked or not). */
  public static boolean isRegex(String name) {
    return name.length() >= 2 && name.startsWith("/") && name.endsWith("/");
  }

  /**
   * Checks an entry name: a valid Linux interface name, or {@code /regex/} that compiles.
   *
   * @return the compiled pattern for a regex entry, null for a plain name
   * @throws ApiException 400 saying what is wrong
   */
  public static Pattern validate(String name) {
    if (name.startsWith("/")) {
      return validateRegex(name);
    }
    validateLinuxName(name);
    return null;
  }

  /**
   * Checks an id as it appears in a path: an interface name or {@code re:} and 12 hex digits.
   *
   * @throws ApiException 400 saying what is wrong
   */
  public static void validateId(String id) {
    if (id.startsWith(REGEX_ID_PREFIX)) {
      if (!REGEX_ID.matcher(id).matches()) {
        throw ApiException.badRequest(
            "a regex entry's id is re: and 12 lower-case hex digits, was '" + id + "'");
      }
      return;
    }
    validateLinuxName(id);
  }

  /** The id of the entry with this name (see {@link InterfaceConfig#idOf}). */
  public static String idOf(String name) {
    return InterfaceConfig.idOf(name);
  }

  private static Pattern validateRegex(String name) {
    if (!isRegex(name) || name.length() == 2) {
      throw ApiException.badRequest(
          "a regex entry is /regex/ with at least one character between the slashes, was '"
              + name
              + "'");
    }
    String regex = name.substring(1, name.length() - 1);
    if (regex.length() > MAX_REGEX_CHARS) {
      throw ApiException.badRequest(
          "the regex is " + regex.length() + " characters, at most " + MAX_REGEX_CHARS);
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw ApiException.badRequest(
          "the regex does not compile: " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  static void validateLinuxName(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NAME_BYTES) {
      throw ApiException.badRequest(
          "an interface name is 1 to " + MAX_NAME_BYTES + " bytes, was " + bytes);
    }
    if (name.equals(".") || name.equals("..")) {
      throw ApiException.badRequest("'" + name + "' is not an interface name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw ApiException.badRequest(
            "an interface name has no '/', ':', white space or control character; '"
                + printable(name)
                + "' has one at index "
                + i);
      }
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
