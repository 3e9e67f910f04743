package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MutationRateLimiterTest {

  @Test
  void burstThenRefillAtTheRate() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    MutationRateLimiter limiter = new MutationRateLimiter(2.0, 2, now::get);

    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(1);

    now.addAndGet(250_000_000L); // half a call refilled
    assertThat(limiter.tryAcquire()).isEqualTo(1);
    now.addAndGet(250_000_000L); // one whole call
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(1);

    now.addAndGet(60_000_000_000L); // a long pause refills only up to the burst
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(1);
  }

  @Test
  void retryAfterIsTheWaitForOneCallInWholeSeconds() {
    AtomicLong now = new AtomicLong();
    MutationRateLimiter limiter = new MutationRateLimiter(0.25, 1, now::get);
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(4);
    now.addAndGet(1_000_000_000L);
    assertThat(limiter.tryAcquire()).isEqualTo(3);
    now.addAndGet(2_500_000_000L); // 0.25 + 0.625 of a call
    assertThat(limiter.tryAcquire()).isEqualTo(1);
  }
}
