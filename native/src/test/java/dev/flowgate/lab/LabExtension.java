package dev.flowgate.lab;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lab of a kernel test as a JUnit 5 extension: a fresh {@link Lab} before each test, closed
 * after it (with everything the test handed to {@link #closeLater}, first), and what most kernel
 * tests start from, made on first use: a quiet veth pair (end a on the host, end b in a namespace
 * of its own; both up, IPv6 off) and a temporary directory.
 *
 * <pre>{@code
 * @RegisterExtension final LabExtension lab = new LabExtension();
 *
 * @Test
 * void countsWhatWasSent() {
 *   VethPair veth = lab.veth();
 *   ...
 * }
 * }</pre>
 */
public final class LabExtension implements BeforeEachCallback, AfterEachCallback {
  private Lab lab;
  private VethPair veth;
  private Path dir;

  @Override
  public void beforeEach(ExtensionContext context) {
    lab = Lab.open();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Lab done = lab;
    lab = null;
    veth = null;
    dir = null;
    if (done != null) {
      done.close();
    }
  }

  /** This test's lab. */
  public Lab lab() {
    if (lab == null) {
      throw new IllegalStateException("no lab outside a test (register with @RegisterExtension)");
    }
    return lab;
  }

  /** The test's quiet veth pair: end a on the host, end b in a namespace of its own. */
  public VethPair veth() {
    if (veth == null) {
      veth = lab().quietVeth(Netns.HOST, lab().netns());
    }
    return veth;
  }

  /** The test's temporary directory, removed after it. */
  public Path dir() {
    if (dir == null) {
      dir = lab().tempDir();
    }
    return dir;
  }

  /** {@link Lab#netns()} of this test's lab. */
  public Netns netns() {
    return lab().netns();
  }

  /** {@link Lab#pinDir()} of this test's lab. */
  public Path pinDir() {
    return lab().pinDir();
  }

  /** {@link Lab#quietVeth(Netns, Netns)} of this test's lab: another pair. */
  public VethPair quietVeth(Netns aSide, Netns bSide) {
    return lab().quietVeth(aSide, bSide);
  }

  /** {@link Lab#closeLater} of this test's lab. */
  public <T extends AutoCloseable> T closeLater(T resource) {
    return lab().closeLater(resource);
  }
}
