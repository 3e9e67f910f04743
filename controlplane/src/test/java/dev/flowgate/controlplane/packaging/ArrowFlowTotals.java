package dev.flowgate.controlplane.packaging;

import dev.flowgate.controlplane.e2e.ArrowFlowFiles;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Packets and bytes summed over every finished-flow record in a directory of Arrow files. */
public record ArrowFlowTotals(long files, long records, long packets, long bytes) {

  /** Reads every {@code *.arrow} file in {@code dir}. */
  public static ArrowFlowTotals read(Path dir) throws IOException {
    long packets = 0;
    long bytes = 0;
    List<TestFlow> flows = ArrowFlowFiles.read(dir);
    for (TestFlow f : flows) {
      packets += f.packets();
      bytes += f.bytes();
    }
    return new ArrowFlowTotals(ArrowFlowFiles.files(dir).size(), flows.size(), packets, bytes);
  }
}
