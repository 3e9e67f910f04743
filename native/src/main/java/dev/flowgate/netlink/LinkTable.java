package dev.flowgate.netlink;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links of this process's network namespace, kept current by rtnetlink notifications
 * (RTMGRP_LINK): hot-plug, removal, renames, up/down. A daemon thread blocks in the shim until the
 * kernel reports a change (no polling), applies it, and tells the listeners. When the kernel
 * dropped notifications (socket overrun), the table is dumped again, so it is never left stale.
 *
 * <p>The monitor socket is opened before the first dump: a change that races the dump is seen
 * twice, never lost.
 */
public final class LinkTable implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LinkTable.class);

  /** Records one read can return (40 bytes each): 160 KiB of direct buffer. */
  private static final int READ_ROOM = 4096;

  private final int monitorFd;
  private final int wakeFd;
  private final Thread thread;
  private final List<Consumer<LinkTable>> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<Integer, Link> byIndex;
  private volatile boolean closed;

  private LinkTable(int monitorFd, int wakeFd) {
    this.monitorFd = monitorFd;
    this.wakeFd = wakeFd;
    this.byIndex = index(Rtnetlink.links());
    this.thread = new Thread(this::run, "flowgate-links");
    this.thread.setDaemon(true);
  }

  /**
   * Opens the notification socket, dumps the links and starts the monitor thread.
   *
   * @throws java.io.UncheckedIOException if a netlink socket fails
   */
  public static LinkTable open() {
    dev.flowgate.bpf.NativeBpf.ensureAvailable();
    int fd = Rtnetlink.check("rtnetlink RTMGRP_LINK socket", Rtnetlink.openMonitor0());
    int wake;
    try {
      wake = Rtnetlink.check("eventfd", Rtnetlink.openWake0());
    } catch (RuntimeException e) {
      Rtnetlink.close0(fd);
      throw e;
    }
    LinkTable t;
    try {
      t = new LinkTable(fd, wake);
    } catch (RuntimeException e) {
      Rtnetlink.close0(fd);
      Rtnetlink.close0(wake);
      throw e;
    }
    t.thread.start();
    return t;
  }

  /** Tells {@code listener} (on the monitor thread) after each change; keep it short. */
  public void addListener(Consumer<LinkTable> listener) {
    listeners.add(listener);
  }

  /** The links now, by ifindex. */
  public Map<Integer, Link> byIndex() {
    return byIndex;
  }

  /** The links now, by name. */
  public Map<String, Link> byName() {
    Map<String, Link> out = new TreeMap<>();
    byIndex.values().forEach(l -> out.put(l.name(), l));
    return out;
  }

  /** The link named {@code name}, if there is one now. */
  public Optional<Link> byName(String name) {
    return byIndex.values().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** ifindex to name, sorted by ifindex (the exporters' ifName options records). */
  public SortedMap<Long, String> names() {
    SortedMap<Long, String> out = new TreeMap<>();
    byIndex.values().forEach(l -> out.put((long) l.ifindex(), l.name()));
    return Collections.unmodifiableSortedMap(out);
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocateDirect(READ_ROOM * Rtnetlink.RECORD_SIZE);
    while (!closed) {
      int rc = Rtnetlink.read0(monitorFd, wakeFd, buf, READ_ROOM);
      if (rc == -Rtnetlink.ECANCELED || closed) {
        return;
      }
      try {
        if (rc == -Rtnetlink.ENOBUFS) {
          // the kernel dropped notifications: take the whole table again
          byIndex = index(Rtnetlink.links());
        } else {
          Rtnetlink.check("rtnetlink read", rc);
          if (rc == 0) {
            continue;
          }
          Map<Integer, Link> next = new TreeMap<>(byIndex);
          for (Rtnetlink.Event e : Rtnetlink.events(buf, rc)) {
            if (e.removed()) {
              next.remove(e.link().ifindex());
            } else {
              next.put(e.link().ifindex(), e.link());
            }
          }
          byIndex = Collections.unmodifiableMap(next);
        }
      } catch (RuntimeException e) {
        // the table stays as it was; the next notification or overrun re-dump brings it back
        LOG.warn("rtnetlink: {}", e.getMessage());
        continue;
      }
      for (Consumer<LinkTable> l : listeners) {
        l.accept(this);
      }
    }
  }

  private static Map<Integer, Link> index(List<Link> links) {
    Map<Integer, Link> out = new TreeMap<>();
    links.forEach(l -> out.put(l.ifindex(), l));
    return Collections.unmodifiableMap(out);
  }

  /** Stops the monitor thread and closes its sockets. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Rtnetlink.wake0(wakeFd);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Rtnetlink.close0(monitorFd);
    Rtnetlink.close0(wakeFd);
  }
}
