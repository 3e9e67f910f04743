package dev.flowgate.exporters.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Expected bytes written by hand: hex digits per line, anything after '|' is a comment. */
public final class Hex {

  private Hex() {}

  /** The bytes of an annotated hex listing. */
  public static String clean(String listing) {
    StringBuilder sb = new StringBuilder();
    for (String line : listing.split("\n")) {
      int bar = line.indexOf('|');
      sb.append((bar >= 0 ? line.substring(0, bar) : line).replaceAll("\\s+", ""));
    }
    return sb.toString().toLowerCase();
  }

  /** The readable bytes of {@code buf} as lower-case hex. */
  public static String of(ByteBuf buf) {
    return ByteBufUtil.hexDump(buf);
  }
}
