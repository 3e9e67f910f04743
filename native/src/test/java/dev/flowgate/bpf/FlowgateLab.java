package dev.flowgate.bpf;

import dev.flowgate.lab.Lab;
import dev.flowgate.lab.LabExtension;
import dev.flowgate.lab.VethPair;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a kernel test on real interfaces holds, as a JUnit 5 extension: the {@link LabExtension}'s
 * lab and the real flowgate object loaded for each test (a small flow table, maps not pinned).
 * After the test, the links it attached close first, then the object, then the lab (namespaces,
 * veths, pin dirs), even when one of them fails.
 *
 * <pre>{@code
 * @RegisterExtension final FlowgateLab fg = new FlowgateLab();
 * }</pre>
 */
final class FlowgateLab implements BeforeEachCallback, AfterEachCallback {
  private final LabExtension lab = new LabExtension();
  private FlowgateUnderTest flowgate;

  @Override
  public void beforeEach(ExtensionContext context) {
    lab.beforeEach(context);
    flowgate = lab.closeLater(FlowgateUnderTest.load(1024, null));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    flowgate = null;
    lab.afterEach(context);
  }

  /** The test's lab. */
  Lab lab() {
    return lab.lab();
  }

  /** The test's quiet veth pair: end a on the host, end b in a namespace of its own. */
  VethPair veth() {
    return lab.veth();
  }

  /** The object, with a table for 1,024 flows per CPU. */
  FlowgateUnderTest flowgate() {
    return flowgate;
  }

  /** Keeps {@code link} to be closed before the object and the lab. */
  BpfLink attached(BpfLink link) {
    return lab.closeLater(link);
  }
}
