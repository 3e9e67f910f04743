package dev.flowgate.bpf;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Where the native tests find their BPF objects. */
final class TestObjects {
  private TestObjects() {}

  /** The real flowgate object (dataplane-bpf's jar resource), as a file. */
  static Path flowgate() {
    return Holder.FLOWGATE;
  }

  private static final class Holder {
    static final Path FLOWGATE =
        NativeBpf.extractResource(BpfObject.OBJECT_RESOURCE, "flowgate-test", ".bpf.o");
  }

  /** A BPF object built from native/src/test/bpf: t_counter, t_broken or t_foreign. */
  static Path test(String name) {
    URL url = TestObjects.class.getClassLoader().getResource("testbpf/" + name + ".bpf.o");
    if (url == null) {
      throw new IllegalStateException(
          "testbpf/" + name + ".bpf.o not built (make -C src/test/bpf)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The real object, opened with a small flow table (not loaded). */
  static BpfObject openFlowgate(int flowsPerCpu) {
    BpfObject obj = BpfObject.open(flowgate());
    FlowTable.configure(obj, flowsPerCpu);
    return obj;
  }
}
