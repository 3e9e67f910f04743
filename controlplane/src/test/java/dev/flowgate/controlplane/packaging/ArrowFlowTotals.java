package dev.flowgate.controlplane.packaging;

import dev.flowgate.exporters.FlowSchema;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/** Packets and bytes summed over every finished-flow record in a directory of Arrow files. */
public record ArrowFlowTotals(long files, long records, long packets, long bytes) {

  /** Reads every {@code *.arrow} file in {@code dir}. */
  public static ArrowFlowTotals read(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".arrow")).sorted().toList();
    }
    long records = 0;
    long packets = 0;
    long bytes = 0;
    try (RootAllocator alloc = new RootAllocator()) {
      for (Path f : files) {
        try (FileChannel ch = FileChannel.open(f);
            ArrowFileReader reader = new ArrowFileReader(ch, alloc)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          while (reader.loadNextBatch()) {
            UInt8Vector p = (UInt8Vector) root.getVector(FlowSchema.PACKETS_INDEX);
            UInt8Vector b = (UInt8Vector) root.getVector(FlowSchema.BYTES_INDEX);
            for (int i = 0; i < root.getRowCount(); i++) {
              records++;
              packets += p.get(i);
              bytes += b.get(i);
            }
          }
        }
      }
    }
    return new ArrowFlowTotals(files.size(), records, packets, bytes);
  }
}
