package dev.flowgate.exporters.arrow;

import java.nio.file.Path;

/**
 * A snapshot of one {@link ArrowFileSink}'s counters, for metrics and the status API. Counters only
 * grow while the sink lives.
 *
 * @param directory where the files are written
 * @param filesWritten files finished and renamed to their {@code .arrow} name
 * @param batchesWritten record batches appended to files
 * @param rowsWritten flow records in those batches
 * @param writeErrors failed file operations (create, write, finish, recover, delete), each logged
 * @param rowsDropped flow records of batches that could not be written
 * @param filesDeleted finished files deleted by retention (max-files)
 * @param filesRecovered files left under a temporary name (by a crash or a write error) whose whole
 *     batches were saved as a finished file
 * @param currentFile the file being written now (its temporary name), or null
 * @param lastError the last error's message, or null
 */
public record ArrowFileSinkStats(
    Path directory,
    long filesWritten,
    long batchesWritten,
    long rowsWritten,
    long writeErrors,
    long rowsDropped,
    long filesDeleted,
    long filesRecovered,
    Path currentFile,
    String lastError) {}
