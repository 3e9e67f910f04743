package dev.flowgate.controlplane.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The packets of a pcap (tcpdump -w) or little-endian pcapng file, for comparing captures; also the
 * statistics blocks of a pcapng.
 */
final class PcapFile {

  /** One packet: its original length and the captured bytes. */
  record Packet(int interfaceId, int originalLength, byte[] bytes) {
    /** The first {@code n} captured bytes (all if fewer). */
    byte[] head(int n) {
      return Arrays.copyOf(bytes, Math.min(n, bytes.length));
    }
  }

  /** An interface statistics block: isb_ifrecv, isb_ifdrop, isb_usrdeliv. */
  record Statistics(int interfaceId, long received, long dropped, long delivered) {}

  final List<Packet> packets = new ArrayList<>();
  final List<Statistics> statistics = new ArrayList<>();
  final List<Integer> blockTypes = new ArrayList<>();

  static PcapFile read(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    PcapFile f = new PcapFile();
    if (data.length < 24) {
      return f; // nothing whole yet
    }
    if (b.getInt(0) == 0x0A0D0D0A) {
      f.readNg(b);
    } else {
      f.readPcap(b);
    }
    return f;
  }

  private void readPcap(ByteBuffer b) {
    int magic = b.getInt(0);
    if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
      throw new IllegalArgumentException("not a little-endian pcap: " + Integer.toHexString(magic));
    }
    for (int p = 24; p + 16 <= b.limit(); ) {
      int cap = b.getInt(p + 8);
      int orig = b.getInt(p + 12);
      byte[] bytes = new byte[cap];
      b.get(p + 16, bytes);
      packets.add(new Packet(0, orig, bytes));
      p += 16 + cap;
    }
  }

  private void readNg(ByteBuffer b) {
    for (int p = 0; p + 12 <= b.limit(); ) {
      int type = b.getInt(p);
      int length = b.getInt(p + 4);
      if (length < 12 || p + length > b.limit()) {
        throw new IllegalArgumentException("block at " + p + " cut or broken: length " + length);
      }
      if (b.getInt(p + length - 4) != length) {
        throw new IllegalArgumentException("block at " + p + ": trailing length differs");
      }
      blockTypes.add(type);
      if (type == 6) {
        int cap = b.getInt(p + 20);
        byte[] bytes = new byte[cap];
        b.get(p + 28, bytes);
        packets.add(new Packet(b.getInt(p + 8), b.getInt(p + 24), bytes));
      } else if (type == 5) {
        long[] v = new long[9];
        for (int o = p + 20; o + 4 <= p + length - 4; ) {
          int code = Short.toUnsignedInt(b.getShort(o));
          int len = Short.toUnsignedInt(b.getShort(o + 2));
          if (code == 0) {
            break;
          }
          if (code < v.length && len == 8) {
            v[code] = b.getLong(o + 4);
          }
          o += 4 + ((len + 3) & ~3);
        }
        statistics.add(new Statistics(b.getInt(p + 8), v[4], v[5], v[8]));
      }
      p += length;
    }
  }
}
