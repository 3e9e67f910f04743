package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.FlowTable;
import dev.flowgate.controlplane.ServiceSweeps;
import dev.flowgate.exporters.FlowSchema;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * {@code GET /api/v1/flows.arrow}'s stream at a large flow count, for {@code
 * FlowsArrowHeapCapTest} to run in a JVM with a small heap (needs root): {@code flowgate run}'s
 * service ({@link ServiceSweeps}) with {@code flows} flows in its table, one sweep, then the
 * stream, either as the API gets it now ({@code file}: written to a file chunk by chunk) or as it
 * was got before ({@code heap}: one array). Prints {@code rows R packets P bytes B} read back from
 * the stream and {@code expected R P B}, the flows the table was filled with; exit 0 when they are
 * equal.
 */
public final class FlowsArrowUnderHeapCap {
  private FlowsArrowUnderHeapCap() {}

  public static void main(String[] args) throws IOException {
    int flows = Integer.parseInt(args[0]);
    boolean onHeap = args[1].equals("heap");
    Path base = Path.of(args[2]);
    SyntheticDrain gen = new SyntheticDrain(flows, 65_536);
    long packets = 0;
    long bytes = 0;
    for (int f = 0; f < flows; f++) {
      long p = 1 + f % 20; // SyntheticDrain's figures of flow f in sweep 0
      packets += p;
      bytes += p * (60 + f % 1400);
    }
    try (DatagramChannel collector = DatagramChannel.open()) {
      collector.bind(new InetSocketAddress("127.0.0.1", 0));
      InetSocketAddress at = (InetSocketAddress) collector.getLocalAddress();
      try (ServiceSweeps service = ServiceSweeps.start(base, flows, at, "1h")) {
        FlowTable table = service.table();
        TableFill.fillAsPrograms(table, service.totals(), table.current(), gen, 0);
        long drained = service.sweep().drainedEntries();
        System.out.println("drained " + drained);
        Path file;
        if (onHeap) {
          byte[] stream = service.flowsArrowOnHeap();
          file = Files.createTempFile(base, "fg-heap-", ".arrows");
          Files.write(file, stream);
        } else {
          file = service.flowsArrowFile().orElseThrow();
        }
        try {
          long[] read = read(file);
          System.out.printf(
              "rows %d packets %d bytes %d%nexpected %d %d %d%n",
              read[0], read[1], read[2], flows, packets, bytes);
          if (read[0] != flows || read[1] != packets || read[2] != bytes) {
            System.exit(1);
          }
        } finally {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Rows, packets and bytes of an Arrow IPC stream file, batch by batch. */
  private static long[] read(Path file) throws IOException {
    long[] sums = new long[3];
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel in = FileChannel.open(file);
        ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        UInt8Vector p = (UInt8Vector) root.getVector(FlowSchema.PACKETS);
        UInt8Vector b = (UInt8Vector) root.getVector(FlowSchema.BYTES);
        for (int i = 0; i < root.getRowCount(); i++) {
          sums[1] += p.get(i);
          sums[2] += b.get(i);
        }
        sums[0] += root.getRowCount();
      }
    }
    return sums;
  }
}
