package dev.flowgate.lab;

import java.util.Arrays;
import java.util.List;

/**
 * A crafted frame and where its headers start, so a test can cut it at any header boundary.
 *
 * @param bytes the frame from the destination MAC on (no FCS)
 * @param l3Offset where the IP header starts (-1 for a non-IP frame)
 * @param l4Offset where the transport header starts (-1 if there is none, e.g. a later fragment)
 * @param payloadOffset where the payload after every header starts
 * @param ipLength the IP header + payload byte count the headers declare (IPv4 total length, IPv6
 *     40 + payload length): what flowgate counts as bytes (IPFIX octetDeltaCount); 0 if non-IP
 * @param boundaries every offset inside the frame at which a header (or the payload) starts, or
 *     inside a VLAN tag between TPID and TCI, ascending: the places to cut a truncated frame
 */
public record Frame(
    byte[] bytes,
    int l3Offset,
    int l4Offset,
    int payloadOffset,
    int ipLength,
    List<Integer> boundaries) {

  /** The frame's length. */
  public int length() {
    return bytes.length;
  }

  /** The first {@code n} bytes: a frame truncated at {@code n}. */
  public byte[] truncated(int n) {
    return Arrays.copyOf(bytes, n);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }
}
