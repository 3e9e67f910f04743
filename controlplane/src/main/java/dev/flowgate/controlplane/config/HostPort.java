package dev.flowgate.controlplane.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A {@code host:port} from the config: an IPv4 address, a bracketed IPv6 address ({@code
 * [::1]:4739}) or a host name. Nothing is resolved here; names are resolved when used.
 *
 * @param host the address or name, IPv6 without brackets
 * @param port 0..65535
 */
public record HostPort(String host, int port) {

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern NUMERIC_DOTTED = Pattern.compile("[0-9.]+");
  private static final Pattern LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  /** Checks the parts; the host must be syntactically valid. */
  public HostPort {
    String problem = hostProblem(host);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range (0..65535)");
    }
  }

  /**
   * Reads {@code host:port}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static HostPort parse(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(
            quote(text) + " is not host:port (IPv6 is written [addr]:port)");
      }
      host = text.substring(1, close);
      if (!host.contains(":")) {
        throw new IllegalArgumentException(quote(text) + ": only IPv6 addresses go in brackets");
      }
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(quote(text) + " is not host:port (the port is missing)");
      }
      host = text.substring(0, colon);
      if (host.contains(":")) {
        throw new IllegalArgumentException(
            quote(text) + " is not host:port (write IPv6 addresses in brackets: [::1]:4739)");
      }
      port = text.substring(colon + 1);
    }
    if (!port.matches("[0-9]{1,5}")) {
      throw new IllegalArgumentException(quote(text) + " has no valid port (0..65535)");
    }
    int p = Integer.parseInt(port);
    if (p > 65535) {
      throw new IllegalArgumentException("port " + p + " is out of range (0..65535)");
    }
    String problem = hostProblem(host);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new HostPort(host, p);
  }

  /** True for 127.0.0.0/8, ::1 and {@code localhost}: reachable only from this machine. */
  public boolean isLoopback() {
    return host.startsWith("127.")
        || host.equals("::1")
        || host.equals("0:0:0:0:0:0:0:1")
        || host.toLowerCase(Locale.ROOT).equals("localhost");
  }

  /** True for 0.0.0.0 and :: (every address of the machine). */
  public boolean isUnspecified() {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  /** {@code host:port}, with brackets around an IPv6 address: what {@link #parse} reads. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String hostProblem(String host) {
    if (host == null || host.isEmpty()) {
      return "the host is missing";
    }
    if (host.contains(":")) {
      return IPV6.matcher(host).matches() && isIpv6(host)
          ? null
          : "\"" + host + "\" is not an IPv6 address";
    }
    if (NUMERIC_DOTTED.matcher(host).matches()) {
      if (IPV4.matcher(host).matches()) {
        for (String octet : host.split("\\.")) {
          if (Integer.parseInt(octet) > 255) {
            return "\"" + host + "\" is not an IPv4 address";
          }
        }
        return null;
      }
      return "\"" + host + "\" is not an IPv4 address";
    }
    if (host.length() > 253) {
      return "the host name is longer than 253 characters";
    }
    for (String label : host.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return "\"" + host + "\" is not a host name or address";
      }
    }
    return null;
  }

  private static boolean isIpv6(String host) {
    // a literal made only of hex digits, colons and dots: InetAddress parses it without DNS
    try {
      return java.net.InetAddress.getByName("[" + host + "]") instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }
}
