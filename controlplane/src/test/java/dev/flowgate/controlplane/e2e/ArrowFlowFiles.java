package dev.flowgate.controlplane.e2e;

import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/** Reads flowgate's exported Arrow files back as {@link TestFlow} rows, times included. */
public final class ArrowFlowFiles {

  private ArrowFlowFiles() {}

  /** The finished {@code .arrow} files in {@code dir}, oldest first. */
  public static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".arrow")).sorted().toList();
    }
  }

  /** Every row of every {@code .arrow} file in {@code dir}, in file order. */
  public static List<TestFlow> read(Path dir) throws IOException {
    List<Path> files = files(dir);
    List<TestFlow> flows = new ArrayList<>();
    try (RootAllocator alloc = new RootAllocator()) {
      for (Path f : files) {
        try (FileChannel ch = FileChannel.open(f);
            ArrowFileReader reader = new ArrowFileReader(ch, alloc)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          while (reader.loadNextBatch()) {
            for (int i = 0; i < root.getRowCount(); i++) {
              flows.add(row(root, i));
            }
          }
        }
      }
    }
    return flows;
  }

  private static TestFlow row(VectorSchemaRoot r, int i) throws IOException {
    boolean v4 = u8(r, FlowSchema.IP_VERSION_INDEX, i) == 4;
    return new TestFlow(
        address(r, FlowSchema.SRC_ADDR_INDEX, i, v4),
        address(r, FlowSchema.DST_ADDR_INDEX, i, v4),
        ((UInt2Vector) r.getVector(FlowSchema.SRC_PORT_INDEX)).get(i),
        ((UInt2Vector) r.getVector(FlowSchema.DST_PORT_INDEX)).get(i),
        u8(r, FlowSchema.PROTOCOL_INDEX, i),
        u8(r, FlowSchema.TOS_INDEX, i),
        u8(r, FlowSchema.TCP_FLAGS_INDEX, i),
        ((UInt8Vector) r.getVector(FlowSchema.PACKETS_INDEX)).get(i),
        ((UInt8Vector) r.getVector(FlowSchema.BYTES_INDEX)).get(i),
        ((TimeStampMilliTZVector) r.getVector(FlowSchema.START_INDEX)).get(i),
        ((TimeStampMilliTZVector) r.getVector(FlowSchema.END_INDEX)).get(i),
        Integer.toUnsignedLong(((UInt4Vector) r.getVector(FlowSchema.IFINDEX_INDEX)).get(i)),
        u8(r, FlowSchema.DIRECTION_INDEX, i),
        ((UInt2Vector) r.getVector(FlowSchema.VLAN_ID_INDEX)).get(i),
        u8(r, FlowSchema.END_REASON_INDEX, i));
  }

  private static int u8(VectorSchemaRoot r, int column, int i) {
    return Byte.toUnsignedInt(((UInt1Vector) r.getVector(column)).get(i));
  }

  private static String address(VectorSchemaRoot r, int column, int i, boolean v4)
      throws IOException {
    byte[] b = ((FixedSizeBinaryVector) r.getVector(column)).get(i);
    return InetAddress.getByAddress(v4 ? Arrays.copyOfRange(b, 12, 16) : b).getHostAddress();
  }
}
