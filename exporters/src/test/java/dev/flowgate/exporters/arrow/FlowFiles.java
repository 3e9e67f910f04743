package dev.flowgate.exporters.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.FlowSchema;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;

/** Reads flow files back with Arrow's own {@link ArrowFileReader}, as any reader would. */
final class FlowFiles {

  private FlowFiles() {}

  /** The rows of {@code root}, each cell as its vector's object; byte arrays as hex text. */
  static List<List<Object>> rows(VectorSchemaRoot root) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector vector : root.getFieldVectors()) {
        Object cell = vector.getObject(i);
        row.add(cell instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : cell);
      }
      rows.add(row);
    }
    return rows;
  }

  /** Every record batch of the Arrow IPC file, in order, as rows; checks the schema. */
  static List<List<List<Object>>> readBatches(Path file, BufferAllocator allocator)
      throws IOException {
    List<List<List<Object>>> batches = new ArrayList<>();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema()).isEqualTo(FlowSchema.SCHEMA);
      for (ArrowBlock block : reader.getRecordBlocks()) {
        assertThat(reader.loadRecordBatch(block)).isTrue();
        batches.add(rows(root));
      }
    }
    return batches;
  }

  /** The names of the directory's entries, sorted. */
  static List<String> names(Path directory) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    }
    return List.copyOf(names);
  }

  /** The names a reader would pick up: {@code *.arrow}, sorted. */
  static List<String> arrowFiles(Path directory) throws IOException {
    return names(directory).stream().filter(n -> n.endsWith(".arrow")).toList();
  }
}
