package dev.flowgate.controlplane.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code interfaces:} entry: which interface(s) to count on, and how.
 *
 * @param name an interface name (1..15 characters, as the kernel allows), or {@code /regex/}
 *     matched against whole interface names as interfaces come and go
 * @param mode how ingress is counted
 * @param direction which directions are counted
 * @param sampling 1-in-N packets copied into the ring buffer; 0 = off
 * @param recordMacs record the source and destination MAC of each flow's first packet ({@code
 *     record-macs}); refused at attach on a device without Ethernet headers
 */
public record InterfaceConfig(
    String name, AttachMode mode, Direction direction, int sampling, boolean recordMacs) {

  /** Default mode: {@code xdp} (native XDP, falling back to TC ingress). */
  public static final AttachMode DEFAULT_MODE = AttachMode.XDP;

  /** Default direction: {@code ingress}. */
  public static final Direction DEFAULT_DIRECTION = Direction.INGRESS;

  /** Default sampling: 1000, one packet in a thousand goes to the ring buffer. */
  public static final int DEFAULT_SAMPLING = 1000;

  /** Lowest sampling: 0, sampling off. */
  public static final int MIN_SAMPLING = 0;

  /** Highest sampling: 2^31-1, one packet in about two billion. */
  public static final int MAX_SAMPLING = Integer.MAX_VALUE;

  /** Default record-macs: false, flows carry no MAC addresses. */
  public static final boolean DEFAULT_RECORD_MACS = false;

  /** Longest interface name: 15 characters (the kernel's IFNAMSIZ of 16 with its NUL). */
  public static final int MAX_NAME_LENGTH = 15;

  /** Checks every field; see {@link InvalidSettingException}. */
  public InterfaceConfig {
    Check.present("name", name);
    Check.present("mode", mode);
    Check.present("direction", direction);
    Check.range("sampling", sampling, MIN_SAMPLING, MAX_SAMPLING);
    String problem = nameProblem(name);
    if (problem != null) {
      throw new InvalidSettingException("name", problem);
    }
  }

  /** An entry without MAC addresses ({@link #DEFAULT_RECORD_MACS}). */
  public InterfaceConfig(String name, AttachMode mode, Direction direction, int sampling) {
    this(name, mode, direction, sampling, DEFAULT_RECORD_MACS);
  }

  /** An entry for {@code name} with the default mode, direction and sampling. */
  public static InterfaceConfig of(String name) {
    return new InterfaceConfig(name, DEFAULT_MODE, DEFAULT_DIRECTION, DEFAULT_SAMPLING);
  }

  /** The id the API addresses this entry by: the name, or {@code re:<hash>} for a regex. */
  public String id() {
    return idOf(name);
  }

  /**
   * The id of the entry with this name: a plain name is its own id; a {@code /regex/} entry's is
   * {@code re:} and the first 12 hex digits of the SHA-256 of the name (slashes included). Colons
   * cannot appear in interface names, so the two never collide.
   */
  public static String idOf(String name) {
    if (!isPattern(name)) {
      return name;
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "re:" + java.util.HexFormat.of().formatHex(digest, 0, 6);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** True for a {@code /regex/} entry. */
  public boolean isPattern() {
    return isPattern(name);
  }

  /** The compiled regex of a {@code /regex/} entry; empty for a plain name. */
  public Optional<Pattern> pattern() {
    return isPattern() ? Optional.of(Pattern.compile(regexText(name))) : Optional.empty();
  }

  /** Whether the interface {@code ifname} is covered: equal name, or the whole name matches. */
  public boolean matches(String ifname) {
    Objects.requireNonNull(ifname, "ifname");
    return isPattern() ? pattern().orElseThrow().matcher(ifname).matches() : name.equals(ifname);
  }

  /** The same entry with another sampling rate. */
  public InterfaceConfig withSampling(int newSampling) {
    return new InterfaceConfig(name, mode, direction, newSampling, recordMacs);
  }

  private static boolean isPattern(String name) {
    return name.length() >= 2 && name.startsWith("/") && name.endsWith("/");
  }

  private static String regexText(String name) {
    return name.substring(1, name.length() - 1);
  }

  /** What is wrong with a name or /regex/, or null if nothing (the kernel's dev_valid_name). */
  private static String nameProblem(String name) {
    if (isPattern(name)) {
      if (regexText(name).isEmpty()) {
        return "the regex between the slashes is empty";
      }
      try {
        Pattern.compile(regexText(name));
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
    if (name.isEmpty()) {
      return "is empty";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return "\"" + name + "\" is longer than " + MAX_NAME_LENGTH + " characters";
    }
    if (name.equals(".") || name.equals("..")) {
      return "\"" + name + "\" is not an interface name";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20) {
        return "\""
            + name
            + "\" is not an interface name (no '/', ':' or spaces; write a regex as /regex/)";
      }
    }
    return null;
  }
}
