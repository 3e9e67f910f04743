package dev.flowgate.controlplane.cache;

import dev.flowgate.controlplane.sweep.DecodedRecord;
import dev.flowgate.exporters.EndReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;

/** A consumer that decodes every finished batch and keeps the records and per-interface sums. */
final class FinishedRecords implements FinishedFlowConsumer {

  final List<DecodedRecord> records = new ArrayList<>();
  final List<Integer> batchSizes = new ArrayList<>();

  /** (ifindex << 8 | direction) -> {packets, bytes}. */
  final Map<Long, long[]> sums = new HashMap<>();

  @Override
  public void accept(VectorSchemaRoot finished) {
    batchSizes.add(finished.getRowCount());
    for (DecodedRecord r : DecodedRecord.decode(finished)) {
      records.add(r);
      long[] s =
          sums.computeIfAbsent(
              ((long) r.flow().ifindex() << 8) | r.flow().direction(), k -> new long[2]);
      s[0] += r.packets();
      s[1] += r.bytes();
    }
  }

  List<DecodedRecord> take() {
    List<DecodedRecord> copy = List.copyOf(records);
    records.clear();
    return copy;
  }

  List<DecodedRecord> withReason(EndReason reason) {
    return records.stream().filter(r -> r.endReason() == reason.code()).toList();
  }
}
