package dev.flowgate.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads the JNI shim {@code libflowgate-jni.so} (over the system libbpf) once per JVM.
 *
 * <p>The library is the jar resource {@code native/libflowgate-jni.so}, copied to a private temp
 * file (mode 0600, deleted on exit) and loaded from there, unless the system property {@value
 * #LIBRARY_PROPERTY} names a file to load instead. Availability is a question, not a crash: {@link
 * #isAvailable()} and {@link #unavailabilityCause()} say whether and why not; every factory of this
 * package calls {@link #ensureAvailable()} first.
 */
public final class NativeBpf {
  /**
   * System property: absolute path of a {@code libflowgate-jni.so} to load instead of the jar's.
   */
  public static final String LIBRARY_PROPERTY = "flowgate.native.lib";

  /** Class-path resource of the shim inside the native jar. */
  public static final String LIBRARY_RESOURCE = "native/libflowgate-jni.so";

  private static final Throwable CAUSE = load();

  private NativeBpf() {}

  private static Throwable load() {
    try {
      String override = System.getProperty(LIBRARY_PROPERTY);
      Path lib =
          override != null && !override.isBlank()
              ? Path.of(override).toAbsolutePath()
              : extractResource(LIBRARY_RESOURCE, "libflowgate-jni", ".so");
      System.load(lib.toString());
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /**
   * Copies a class-path resource to a new private temp file, deleted when the JVM exits.
   *
   * @throws UncheckedIOException if the resource is missing or cannot be copied
   */
  static Path extractResource(String resource, String prefix, String suffix) {
    try (InputStream in = NativeBpf.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("resource " + resource + " is not on the class path");
      }
      Path file = Files.createTempFile(prefix, suffix); // 0600 on POSIX
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the shim is loaded and its native methods are registered. */
  public static boolean isAvailable() {
    return CAUSE == null;
  }

  /** Why the shim could not be loaded, or {@code null} if it is available. */
  public static Throwable unavailabilityCause() {
    return CAUSE;
  }

  /**
   * Returns normally if the shim is available.
   *
   * @throws UnsupportedOperationException with the load failure as its cause otherwise
   */
  public static void ensureAvailable() {
    if (CAUSE != null) {
      throw new UnsupportedOperationException(
          "flowgate native library unavailable: " + CAUSE, CAUSE);
    }
  }

  /**
   * Number of possible CPUs: the number of values a per-CPU map returns per entry (each rounded up
   * to 8 bytes).
   */
  public static int nrPossibleCpus() {
    ensureAvailable();
    int n = nrPossibleCpus0();
    if (n < 0) {
      throw BpfException.of("libbpf_num_possible_cpus", n);
    }
    return n;
  }

  /** The loaded libbpf's version, e.g. {@code "1.1"}. */
  public static String libbpfVersion() {
    ensureAvailable();
    int v = libbpfVersion0();
    return (v / 1000) + "." + (v % 1000);
  }

  /**
   * A direct buffer of {@code bytes} bytes in little-endian order: the kind every method of this
   * package reads keys, values and records from.
   */
  public static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The text libbpf logged during this thread's last native call, or null; clears it. */
  static String lastDetail() {
    return CAUSE != null ? null : lastDetail0();
  }

  /** strerror(3) of a positive errno, or libbpf's text for its own codes. */
  public static String strerror(int errno) {
    return CAUSE != null ? "errno " + errno : strerror0(errno);
  }

  private static native String lastDetail0();

  private static native String strerror0(int errno);

  private static native int nrPossibleCpus0();

  private static native int libbpfVersion0();
}
