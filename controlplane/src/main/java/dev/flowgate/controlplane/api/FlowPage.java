package dev.flowgate.controlplane.api;

import java.util.List;

/**
 * One page of {@code GET /api/v1/flows/all}'s walk over the flow cache.
 *
 * @param flows the page's flows
 * @param next where the next page starts, or -1 after the last page
 */
public record FlowPage(List<FlowRow> flows, int next) {

  /** Copies the list. */
  public FlowPage {
    flows = List.copyOf(flows);
  }
}
