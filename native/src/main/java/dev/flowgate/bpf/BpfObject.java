package dev.flowgate.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BPF object file (ELF with BTF) opened by libbpf: configured, then loaded into the kernel.
 *
 * <p>Life cycle: {@link #open(Path)} or {@link #openDefault()}; before {@link #load()}: {@link
 * #setMaxEntries}, {@link #setGlobal}, {@link #pinMapsUnder}; after it: {@link #program} and {@link
 * #map}. {@link #close()} releases the object's programs and maps (pinned maps and links stay in
 * the kernel). Not thread-safe.
 */
public final class BpfObject implements AutoCloseable {
  /** System property: path of a BPF object to use instead of the jar resource. */
  public static final String OBJECT_PROPERTY = "flowgate.bpf.object";

  /** Class-path resource of the flowgate object, from the dataplane-bpf jar. */
  public static final String OBJECT_RESOURCE = "bpf/flowgate.bpf.o";

  private final Path path;
  private long handle;
  private boolean loaded;
  private final Map<String, BpfProgram> programs = new HashMap<>();
  private final Map<String, BpfMap> maps = new HashMap<>();

  private BpfObject(Path path, long handle) {
    this.path = path;
    this.handle = handle;
  }

  /**
   * Opens the flowgate object: the file named by {@value #OBJECT_PROPERTY} if set, else the
   * resource {@value #OBJECT_RESOURCE} (copied once per JVM to a private temp file).
   */
  public static BpfObject openDefault() {
    String override = System.getProperty(OBJECT_PROPERTY);
    if (override != null && !override.isBlank()) {
      return open(Path.of(override));
    }
    return open(DefaultObject.PATH);
  }

  private static final class DefaultObject {
    static final Path PATH = NativeBpf.extractResource(OBJECT_RESOURCE, "flowgate", ".bpf.o");
  }

  /**
   * Opens (parses, does not load) a BPF object file.
   *
   * @throws BpfException if libbpf cannot parse it
   */
  public static BpfObject open(Path file) {
    NativeBpf.ensureAvailable();
    long h = open0(file.toAbsolutePath().toString());
    if (h < 0) {
      throw BpfException.of("open " + file, h);
    }
    return new BpfObject(file, h);
  }

  /** The file this object was opened from. */
  public Path path() {
    return path;
  }

  /**
   * Sets a map's capacity before load. Every map-of-maps whose inner template has the same type,
   * key and value size gets the same capacity (so setting {@code fg_flows_a} also sizes the
   * template of {@code fg_flow_slot}).
   */
  public void setMaxEntries(String map, int maxEntries) {
    requireOpenNotLoaded();
    requirePositive(maxEntries);
    BpfException.check("set max entries of " + map, setMaxEntries0(handle, map, maxEntries));
  }

  /** Sets the capacity of a map-of-maps' inner template before load. */
  public void setInnerMaxEntries(String outerMap, int maxEntries) {
    requireOpenNotLoaded();
    requirePositive(maxEntries);
    BpfException.check(
        "set inner max entries of " + outerMap, setInnerMaxEntries0(handle, outerMap, maxEntries));
  }

  /**
   * Sets a global variable ({@code const volatile} in .rodata, or in .data/.bss) by its name in the
   * object's BTF, before load. The value is truncated to the variable's size (1, 2, 4 or 8 bytes).
   */
  public void setGlobal(String name, long value) {
    requireOpenNotLoaded();
    BpfException.check("set global " + name, setGlobal0(handle, name, value));
  }

  /**
   * Before load: pins every map by name under {@code dir} (created if missing); a map already
   * pinned there with the same definition is reused instead of created (so counts survive a
   * restart). A pinned map whose definition differs fails {@link #load()}.
   */
  public void pinMapsUnder(Path dir) {
    requireOpenNotLoaded();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BpfException.check(
        "pin maps under " + dir, pinMapsUnder0(handle, dir.toAbsolutePath().toString()));
  }

  /**
   * Creates (or reuses pinned) maps and loads every program into the kernel.
   *
   * @throws BpfException with the verifier log as {@link BpfException#detail()} on failure
   */
  public void load() {
    requireOpenNotLoaded();
    BpfException.check("load " + path.getFileName(), load0(handle));
    loaded = true;
  }

  /** Whether {@link #load()} succeeded. */
  public boolean isLoaded() {
    return loaded;
  }

  /** Names of the object's programs (function names). */
  public List<String> programNames() {
    requireOpen();
    return List.of(names0(handle, false));
  }

  /** Names of the object's maps, without libbpf's internal .rodata/.data/.bss maps. */
  public List<String> mapNames() {
    requireOpen();
    return List.of(names0(handle, true));
  }

  /**
   * A loaded program by its function name; valid until {@link #close()}.
   *
   * @throws BpfException ENOENT if there is none, EBADF before load
   */
  public BpfProgram program(String name) {
    requireOpen();
    BpfProgram p = programs.get(name);
    if (p == null) {
      int fd = BpfException.check("program " + name, programFd0(handle, name));
      p = new BpfProgram(name, fd);
      programs.put(name, p);
    }
    return p;
  }

  /**
   * A map by name, after load; valid until {@link #close()} (its fd belongs to the object).
   *
   * @throws BpfException ENOENT if there is none, EBADF before load
   */
  public BpfMap map(String name) {
    requireOpen();
    BpfMap m = maps.get(name);
    if (m == null) {
      int fd = BpfException.check("map " + name, mapFd0(handle, name));
      m = BpfMap.borrowed(name, fd);
      maps.put(name, m);
    }
    return m;
  }

  /** Unloads what nobody else holds: programs, unpinned maps, their fds. Idempotent. */
  @Override
  public void close() {
    if (handle != 0) {
      close0(handle);
      handle = 0;
      programs.clear();
      maps.clear();
    }
  }

  private void requireOpen() {
    if (handle == 0) {
      throw new IllegalStateException("BpfObject " + path + " is closed");
    }
  }

  private void requireOpenNotLoaded() {
    requireOpen();
    if (loaded) {
      throw new IllegalStateException("BpfObject " + path + " is already loaded");
    }
  }

  private static void requirePositive(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("max entries must be positive, was " + n);
    }
  }

  private static native long open0(String path);

  private static native int setMaxEntries0(long obj, String map, int maxEntries);

  private static native int setInnerMaxEntries0(long obj, String map, int maxEntries);

  private static native int setGlobal0(long obj, String name, long value);

  private static native int pinMapsUnder0(long obj, String dir);

  private static native int load0(long obj);

  private static native int programFd0(long obj, String name);

  private static native int mapFd0(long obj, String name);

  private static native String[] names0(long obj, boolean maps);

  private static native void close0(long obj);
}
