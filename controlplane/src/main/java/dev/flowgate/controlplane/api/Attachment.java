package dev.flowgate.controlplane.api;

import java.util.List;
import java.util.Objects;

/**
 * One interface an entry is attached to.
 *
 * @param device the interface name
 * @param ifindex its ifindex
 * @param hooks where flowgate counts: {@code xdp}, {@code xdp-generic}, {@code tc-ingress}, {@code
 *     tc-egress}
 * @param note why a hook differs from the mode asked for (e.g. native XDP unavailable), or null
 */
public record Attachment(String device, int ifindex, List<String> hooks, String note) {

  /** Checks for nulls (but {@code note}) and copies the list. */
  public Attachment {
    Objects.requireNonNull(device, "device");
    hooks = List.copyOf(hooks);
  }
}
