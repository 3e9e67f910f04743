package dev.flowgate.controlplane.config;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code interfaces:} entry: which interface(s) to count on, and how.
 *
 * @param name an interface name (1..15 bytes, as the kernel allows), or {@code /regex/} matched
 *     against whole interface names as interfaces come and go ({@link InterfaceName})
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

  /** Checks every field; see {@link InvalidSettingException}. */
  public InterfaceConfig {
    Check.present("name", name);
    Check.present("mode", mode);
    Check.present("direction", direction);
    Check.range("sampling", sampling, MIN_SAMPLING, MAX_SAMPLING);
    String problem = InterfaceName.problem(name);
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
    return InterfaceName.idOf(name);
  }

  /** True for a {@code /regex/} entry. */
  public boolean isPattern() {
    return InterfaceName.isRegex(name);
  }

  /** The compiled regex of a {@code /regex/} entry; empty for a plain name. */
  public Optional<Pattern> pattern() {
    return isPattern()
        ? Optional.of(Pattern.compile(InterfaceName.regexText(name)))
        : Optional.empty();
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
}
