package dev.flowgate.controlplane.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A pcap-filter expression of the subset flowgate understands, compiled to a test of a frame's
 * captured bytes. Primitives: {@code [src|dst] host ADDR}, {@code [src|dst] net ADDR/LEN}, {@code
 * [src|dst] port N} (TCP, UDP, SCTP), {@code tcp}, {@code udp}, {@code icmp}, {@code icmp6}, {@code
 * ip}, {@code ip6}, {@code proto N} (also {@code ip proto N}, {@code ip6 proto N}), and {@code tcp
 * port N} / {@code udp port N}; addresses IPv4 or IPv6, literal only (no name lookup). Combined
 * with {@code and} ({@code &&}), {@code or} ({@code ||}), {@code not} ({@code !}) and parentheses;
 * as in pcap-filter, {@code not} binds tightest and {@code and}/{@code or} have equal precedence,
 * left to right. **Decision:** unlike pcap, primitives look through up to two VLAN tags (the
 * dataplane's parser does too), so {@code host X} matches tagged frames of X.
 *
 * <p>A syntax error is an {@link IllegalArgumentException} whose message names the 1-based
 * character position.
 */
public final class CaptureFilter {

  /** A test of a parsed frame. */
  private interface Node {
    boolean test(FrameView f);
  }

  /** The filter of an empty expression: every frame. */
  public static final CaptureFilter ALL = new CaptureFilter("", f -> true);

  /** Longest expression accepted, in characters. */
  public static final int MAX_LENGTH = 1024;

  private final String expression;
  private final Node root;
  private final FrameView view = new FrameView();

  private CaptureFilter(String expression, Node root) {
    this.expression = expression;
    this.root = root;
  }

  /**
   * Compiles an expression; null or blank is {@link #ALL}.
   *
   * @throws IllegalArgumentException naming the position of a syntax error
   */
  public static CaptureFilter compile(String expression) {
    if (expression == null || expression.isBlank()) {
      return ALL;
    }
    if (expression.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "filter longer than " + MAX_LENGTH + " characters: " + expression.length());
    }
    Parser p = new Parser(expression);
    Node root = p.expression();
    if (p.peek() != null) {
      throw p.error("expected 'and', 'or' or the end");
    }
    return new CaptureFilter(expression, root);
  }

  /**
   * Whether the frame of {@code len} captured bytes at {@code off} matches. Not thread-safe (one
   * reusable view): one filter per capture.
   */
  public boolean matches(byte[] data, int off, int len) {
    return this == ALL || root.test(view.parse(data, off, len));
  }

  /** The expression as given. */
  public String expression() {
    return expression;
  }

  @Override
  public String toString() {
    return expression;
  }

  private record Token(String text, int position) {}

  private static final class Parser {
    private final String source;
    private final List<Token> tokens = new ArrayList<>();
    private int next;

    Parser(String source) {
      this.source = source;
      int i = 0;
      while (i < source.length()) {
        char c = source.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '(' || c == ')' || c == '!') {
          tokens.add(new Token(String.valueOf(c), i));
          i++;
        } else if ((c == '&' || c == '|') && i + 1 < source.length() && source.charAt(i + 1) == c) {
          tokens.add(new Token(c == '&' ? "and" : "or", i));
          i += 2;
        } else if (Character.isLetterOrDigit(c) || c == ':' || c == '.' || c == '/') {
          int start = i;
          while (i < source.length()) {
            char d = source.charAt(i);
            if (!(Character.isLetterOrDigit(d) || d == ':' || d == '.' || d == '/')) {
              break;
            }
            i++;
          }
          tokens.add(new Token(source.substring(start, i).toLowerCase(Locale.ROOT), start));
        } else {
          throw new IllegalArgumentException(
              "filter: at position " + (i + 1) + ": unexpected character '" + c + "'");
        }
      }
    }

    String peek() {
      return next < tokens.size() ? tokens.get(next).text() : null;
    }

    String take() {
      return tokens.get(next++).text();
    }

    IllegalArgumentException error(String what) {
      if (next >= tokens.size()) {
        return new IllegalArgumentException(
            "filter: at position " + (source.length() + 1) + " (the end): " + what);
      }
      Token t = tokens.get(next);
      return new IllegalArgumentException(
          "filter: at position " + (t.position() + 1) + " ('" + t.text() + "'): " + what);
    }

    Node expression() {
      Node left = unary();
      while ("and".equals(peek()) || "or".equals(peek())) {
        boolean and = take().equals("and");
        Node l = left;
        Node r = unary();
        left = and ? f -> l.test(f) && r.test(f) : f -> l.test(f) || r.test(f);
      }
      return left;
    }

    Node unary() {
      String t = peek();
      if (t == null) {
        throw error("expected a primitive (host, net, port, tcp, udp, icmp, icmp6, proto)");
      }
      if (t.equals("not") || t.equals("!")) {
        take();
        Node n = unary();
        return f -> !n.test(f);
      }
      if (t.equals("(")) {
        take();
        Node n = expression();
        if (!")".equals(peek())) {
          throw error("expected ')'");
        }
        take();
        return n;
      }
      return primitive();
    }

    Node primitive() {
      String t = peek();
      switch (t) {
        case "src", "dst" -> {
          take();
          boolean src = t.equals("src");
          String kind = peek();
          if ("host".equals(kind) || "net".equals(kind) || "port".equals(kind)) {
            take();
          } else {
            kind = "host"; // pcap: "src ADDR" is "src host ADDR"
          }
          return qualified(kind, src, !src);
        }
        case "host", "net", "port" -> {
          take();
          return qualified(t, true, true);
        }
        case "tcp", "udp" -> {
          take();
          int proto = t.equals("tcp") ? 6 : 17;
          Node is = f -> f.protocol == proto;
          if ("port".equals(peek()) || portAfterDirection()) {
            Node port = primitive();
            return f -> is.test(f) && port.test(f);
          }
          return is;
        }
        case "icmp" -> {
          take();
          return f -> f.ipVersion == 4 && f.protocol == 1;
        }
        case "icmp6" -> {
          take();
          return f -> f.ipVersion == 6 && f.protocol == 58;
        }
        case "ip", "ip6" -> {
          take();
          int version = t.equals("ip") ? 4 : 6;
          if ("proto".equals(peek())) {
            take();
            int proto = number(255, "a protocol number 0..255");
            return f -> f.ipVersion == version && f.protocol == proto;
          }
          return f -> f.ipVersion == version;
        }
        case "proto" -> {
          take();
          int proto = number(255, "a protocol number 0..255");
          return f -> f.protocol == proto;
        }
        default ->
            throw error(
                "expected a primitive (host, net, port, src, dst, tcp, udp, icmp, icmp6, ip, ip6,"
                    + " proto, not, '(')");
      }
    }

    private boolean portAfterDirection() {
      String t = peek();
      return ("src".equals(t) || "dst".equals(t))
          && next + 1 < tokens.size()
          && tokens.get(next + 1).text().equals("port");
    }

    private Node qualified(String kind, boolean src, boolean dst) {
      switch (kind) {
        case "port" -> {
          int port = number(65535, "a port number 0..65535");
          return f -> f.hasPorts && ((src && f.srcPort == port) || (dst && f.dstPort == port));
        }
        case "host" -> {
          byte[] a = address(peek(), false);
          take();
          return prefix(a, a.length * 8, src, dst);
        }
        default -> {
          String text = peek();
          if (text == null) {
            throw error("expected a network ADDR/LEN");
          }
          int slash = text.indexOf('/');
          byte[] a = address(slash < 0 ? text : text.substring(0, slash), true);
          int bits = a.length * 8;
          if (slash >= 0) {
            try {
              bits = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
              throw error("expected a prefix length after '/'");
            }
            if (bits < 0 || bits > a.length * 8) {
              throw error("prefix length must be 0.." + a.length * 8);
            }
          }
          for (int i = 0; i < a.length * 8; i++) {
            if (i >= bits && (a[i / 8] & (0x80 >> (i % 8))) != 0) {
              throw error("non-network bits set in " + text);
            }
          }
          take();
          return prefix(a, bits, src, dst);
        }
      }
    }

    private int number(int max, String what) {
      String t = peek();
      if (t == null || !t.chars().allMatch(Character::isDigit) || t.length() > 6) {
        throw error("expected " + what);
      }
      int n = Integer.parseInt(t);
      if (n > max) {
        throw error("expected " + what);
      }
      take();
      return n;
    }

    /** A literal IPv4 or IPv6 address (never a name lookup). */
    private byte[] address(String text, boolean network) {
      if (text == null) {
        throw error("expected an address");
      }
      if (text.indexOf(':') >= 0) {
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
          throw error("expected an IPv6 address");
        }
        try {
          byte[] a = java.net.InetAddress.getByName(text).getAddress(); // a literal: no lookup
          if (a.length == 16) {
            return a;
          }
          throw error("expected an IPv6 address");
        } catch (java.net.UnknownHostException e) {
          throw error("expected an IPv6 address");
        }
      }
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        throw error("expected an IPv4 or IPv6 address" + (network ? " (ADDR/LEN)" : ""));
      }
      byte[] a = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty()
            || parts[i].length() > 3
            || !parts[i].chars().allMatch(Character::isDigit)
            || Integer.parseInt(parts[i]) > 255) {
          throw error("expected an IPv4 address");
        }
        a[i] = (byte) Integer.parseInt(parts[i]);
      }
      return a;
    }

    /** Frames whose source (if src) or destination (if dst) starts with bits of a. */
    private static Node prefix(byte[] a, int bits, boolean src, boolean dst) {
      int version = a.length == 4 ? 4 : 6;
      return f ->
          f.ipVersion == version
              && ((src && startsWith(f.data, f.src, a, bits))
                  || (dst && startsWith(f.data, f.dst, a, bits)));
    }

    private static boolean startsWith(byte[] data, int at, byte[] a, int bits) {
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (data[at + i] != a[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (data[at + whole] & mask) == (a[whole] & mask);
    }
  }
}
