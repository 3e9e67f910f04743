package dev.flowgate.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The owner of everything a kernel test creates: namespaces, veth pairs, routes, bpffs pin
 * directories, temp directories. Every resource is named {@code fg-<pid>-<n>} and registered for
 * removal; {@link #close()} removes them in reverse order of creation and keeps going past a
 * failing step, so a test that fails half-way still leaves nothing behind. A JVM shutdown hook
 * closes labs a test forgot (or could not reach, e.g. on a timeout), as a last resort.
 *
 * <pre>{@code
 * try (Lab lab = Lab.open()) {
 *   Netns ns = lab.netns();
 *   VethPair veth = lab.veth(Netns.HOST, ns);
 *   ...
 * }
 * }</pre>
 */
public final class Lab implements AutoCloseable {
  /** Root of bpffs, where each lab gets its own pin directory. */
  public static final Path BPFFS = Path.of("/sys/fs/bpf");

  private static final long PID = ProcessHandle.current().pid();
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Lab lab : List.copyOf(OPEN)) {
                    try {
                      lab.close();
                    } catch (RuntimeException e) {
                      System.err.println("lab cleanup at exit: " + e);
                    }
                  }
                },
                "flowgate-lab-cleanup"));
  }

  private record Cleanup(String what, Runnable action) {}

  private final Deque<Cleanup> cleanups = new ArrayDeque<>();
  private boolean closed;

  private Lab() {}

  /** A new, empty lab. */
  public static Lab open() {
    Lab lab = new Lab();
    OPEN.add(lab);
    return lab;
  }

  /** Mounts bpffs on /sys/fs/bpf unless it is mounted already (LAB.md). */
  public static void ensureBpffs() {
    if (!Command.run(List.of("mountpoint", "-q", BPFFS.toString())).ok()) {
      Command.check("mount", "-t", "bpf", "bpf", BPFFS.toString());
    }
  }

  /** A name unique on this host while this JVM lives: {@code fg-<pid>-<n>}, at most 15 chars. */
  public static String uniqueName() {
    String name = "fg-" + PID + "-" + NEXT.incrementAndGet();
    if (name.length() > 15) {
      throw new LabException(name + " is longer than an interface name may be (15)");
    }
    return name;
  }

  /** Registers {@code action} to run when the lab closes (before what was registered earlier). */
  public synchronized void onClose(String what, Runnable action) {
    if (closed) {
      throw new IllegalStateException("lab is closed");
    }
    cleanups.push(new Cleanup(what, action));
  }

  /**
   * Registers {@code resource} to be closed when the lab closes, before everything registered
   * earlier (so a link goes before its object, the object before the veth); returns it.
   */
  public <T extends AutoCloseable> T closeLater(T resource) {
    onClose(
        "close " + resource,
        () -> {
          try {
            resource.close();
          } catch (Exception e) {
            throw new LabException("cannot close " + resource, e);
          }
        });
    return resource;
  }

  /** A new network namespace, with its loopback up. */
  public Netns netns() {
    String name = uniqueName();
    Command.check("ip", "netns", "add", name);
    Netns ns = new Netns(name, Path.of("/run/netns", name));
    onClose("netns " + name, () -> Command.check("ip", "netns", "del", name));
    ns.check("ip", "link", "set", "dev", "lo", "up");
    return ns;
  }

  /**
   * A veth pair with end a in {@code aSide} and end b in {@code bSide} (either may be {@link
   * Netns#HOST}); both ends are down and have no addresses.
   */
  public VethPair veth(Netns aSide, Netns bSide) {
    return veth(aSide, bSide, 0);
  }

  /**
   * A veth pair as {@link #veth(Netns, Netns)}, both ends up and with IPv6 off: no
   * autoconfiguration chatter (RS, MLD, DAD), so every packet counted on it is one the test sent.
   */
  public VethPair quietVeth(Netns aSide, Netns bSide) {
    return quiet(veth(aSide, bSide));
  }

  /** {@link #quietVeth(Netns, Netns)} with end a created with ifindex {@code aIndex}. */
  public VethPair quietVeth(Netns aSide, Netns bSide, int aIndex) {
    return quiet(veth(aSide, bSide, aIndex));
  }

  private static VethPair quiet(VethPair pair) {
    pair.a().conf("ipv6", "disable_ipv6", "1").up();
    pair.b().conf("ipv6", "disable_ipv6", "1").up();
    return pair;
  }

  /**
   * As {@link #veth(Netns, Netns)}, end a created with ifindex {@code aIndex} (0: the kernel's
   * choice), for what depends on the ifindex's size.
   */
  public VethPair veth(Netns aSide, Netns bSide, int aIndex) {
    String a = uniqueName();
    String b = uniqueName();
    if (aIndex > 0) {
      Command.check(
          "ip",
          "link",
          "add",
          "name",
          a,
          "index",
          String.valueOf(aIndex),
          "type",
          "veth",
          "peer",
          "name",
          b);
    } else {
      Command.check("ip", "link", "add", "name", a, "type", "veth", "peer", "name", b);
    }
    VethPair pair = new VethPair(new VethPair.End(a, aSide), new VethPair.End(b, bSide));
    onClose("veth " + pair, pair::delete);
    if (!aSide.isHost()) {
      Command.check("ip", "link", "set", "dev", a, "netns", aSide.name());
    }
    if (!bSide.isHost()) {
      Command.check("ip", "link", "set", "dev", b, "netns", bSide.name());
    }
    return pair;
  }

  /** A fresh directory under bpffs for this lab's pins; removed, with every pin in it, at close. */
  public Path pinDir() {
    ensureBpffs();
    Path dir = BPFFS.resolve(uniqueName());
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      throw new LabException("cannot create pin directory " + dir, e);
    }
    onClose("pins " + dir, () -> deleteTree(dir));
    return dir;
  }

  /** A fresh temporary directory, removed at close. */
  public Path tempDir() {
    try {
      Path dir = Files.createTempDirectory(uniqueName() + "-");
      onClose("temp " + dir, () -> deleteTree(dir));
      return dir;
    } catch (IOException e) {
      throw new LabException("cannot create a temp directory", e);
    }
  }

  /**
   * Removes everything in reverse order of creation. Every step runs even when an earlier one
   * fails; the first failure is thrown at the end with the others suppressed. Idempotent.
   */
  @Override
  public void close() {
    List<Cleanup> steps;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      steps = new ArrayList<>(cleanups);
      cleanups.clear();
    }
    OPEN.remove(this);
    LabException failure = null;
    for (Cleanup step : steps) {
      try {
        step.action().run();
      } catch (RuntimeException e) {
        LabException wrapped = new LabException("cleanup of " + step.what() + " failed", e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new LabException("cannot remove " + root, e);
    }
  }
}
