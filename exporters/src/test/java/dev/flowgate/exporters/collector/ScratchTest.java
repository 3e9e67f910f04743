package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.InterfaceNames;
import dev.flowgate.exporters.testing.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTest {
  @TempDir Path tmp;

  @Test
  void scratch() throws Exception {
    for (ExportProtocol proto : new ExportProtocol[] {ExportProtocol.IPFIX, ExportProtocol.NETFLOW_V9, ExportProtocol.IPFIX, ExportProtocol.NETFLOW_V9, ExportProtocol.NETFLOW_V9}) {
      int port = Processes.freeUdpPort();
      try (RootAllocator a = new RootAllocator(); Nfcapd n = Nfcapd.start(tmp, port);
          var root = FlowBatches.build(a, KnownFlows.batch(System.currentTimeMillis(), 3))) {
        CollectorExporter e = CollectorExporter.start(new CollectorOptions().collector("127.0.0.1", port).protocol(proto),
            InterfaceNames.of(Map.of(3L, "veth-a", 4L, "veth-b")));
        e.write(root);
        e.awaitDelivered(Duration.ofSeconds(10));
        e.close();
        System.out.println(e.stats());
        n.stop();
        System.out.println(n.log());
        System.out.println(n.exporterInfo());
        System.out.println(n.records());
      }
    }
  }
}
