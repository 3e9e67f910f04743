/**
 * Finished flows as rolling Arrow IPC files: {@link dev.flowgate.exporters.arrow.ArrowFileSink}
 * writes one {@code flows-<UTC start>.arrow} file per rotate interval under the {@code
 * export.arrow.directory}, renames it into place only when whole, keeps the newest {@code
 * max-files}, and recovers files a crash left unfinished. Any Arrow reader (pyarrow, arrow-js,
 * DuckDB, Java's {@code ArrowFileReader}) opens the files; the columns are {@link
 * dev.flowgate.exporters.FlowSchema}.
 */
package dev.flowgate.exporters.arrow;
