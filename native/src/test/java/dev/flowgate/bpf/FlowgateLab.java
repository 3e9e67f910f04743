package dev.flowgate.bpf;

import dev.flowgate.lab.Lab;
import java.util.ArrayList;
import java.util.List;

/**
 * What a kernel test on real interfaces holds: its lab, the real flowgate object (a small flow
 * table, maps not pinned) and the links it attached. {@link #close()} closes the links, then the
 * object, then the lab (namespaces, veths, pin dirs), even when one of them fails.
 */
final class FlowgateLab implements AutoCloseable {
  final Lab lab;
  final FlowgateUnderTest flowgate;
  private final List<BpfLink> links = new ArrayList<>();

  private FlowgateLab(Lab lab, FlowgateUnderTest flowgate) {
    this.lab = lab;
    this.flowgate = flowgate;
  }

  /** A new lab and the object loaded with a table for 1,024 flows per CPU. */
  static FlowgateLab open() {
    Lab lab = Lab.open();
    try {
      return new FlowgateLab(lab, FlowgateUnderTest.load(1024, null));
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** Keeps {@code link} to be closed first. */
  BpfLink attached(BpfLink link) {
    links.add(link);
    return link;
  }

  @Override
  public void close() {
    try {
      links.forEach(BpfLink::close);
      flowgate.close();
    } finally {
      lab.close();
    }
  }
}
