package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.samples.Capture;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A capture's pcapng bytes into a chunked HTTP response: the capture's thread hands over buffers,
 * the response's event loop writes them. At most {@link #MAX_PENDING} bytes wait unwritten; beyond
 * that the capture's thread waits (and its subscription's queue, not the reader, fills up).
 */
final class CaptureResponse implements Capture.Output {

  /** Bytes handed over but not yet written to the socket before the capture waits: 1 MiB. */
  static final long MAX_PENDING = 1 << 20;

  private final Context context;
  private final HttpServerResponse response;
  private long pending; // guarded by this
  private boolean gone; // guarded by this

  CaptureResponse(Context context, HttpServerResponse response) {
    this.context = context;
    this.response = response;
  }

  @Override
  public boolean write(ByteBuf bytes) throws InterruptedException {
    int n = bytes.readableBytes();
    synchronized (this) {
      while (!gone && pending > MAX_PENDING) {
        wait();
      }
      if (gone) {
        bytes.release();
        return false;
      }
      pending += n;
    }
    context.runOnContext(
        v ->
            response
                .write(BufferInternal.buffer(bytes))
                .onComplete(
                    done -> {
                      synchronized (this) {
                        pending -= n;
                        if (done.failed()) {
                          gone = true;
                        }
                        notifyAll();
                      }
                    }));
    return true;
  }

  /** The client went away: the capture stops at its next write or wait. */
  synchronized void gone() {
    gone = true;
    notifyAll();
  }
}
