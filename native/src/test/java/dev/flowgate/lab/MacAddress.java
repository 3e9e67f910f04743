package dev.flowgate.lab;

import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
  /** ff:ff:ff:ff:ff:ff. */
  public static final MacAddress BROADCAST = parse("ff:ff:ff:ff:ff:ff");

  /** Checks the length and copies. */
  public MacAddress {
    if (bytes.length != 6) {
      throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff}. */
  public static MacAddress parse(String text) {
    return new MacAddress(HexFormat.ofDelimiter(":").parseHex(text));
  }

  /** A locally administered unicast address {@code 02:00:<n as 4 bytes>}. */
  public static MacAddress local(int n) {
    return new MacAddress(
        new byte[] {2, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress m && java.util.Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(bytes);
  }
}
