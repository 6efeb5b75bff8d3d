package org.vidar.cli;

import java.io.IOException;
import java.nio.file.Files;
import org.vidar.data.DataPaths;

/**
 * A Spark job's working directory for intermediate data: the one the user named (kept), or a fresh
 * local temporary folder that closing deletes, with whatever a failed job left in it.
 */
final class WorkDir implements AutoCloseable {
  private final String path;
  private final boolean temporary;

  private WorkDir(String path, boolean temporary) {
    this.path = path;
    this.temporary = temporary;
  }

  /** {@code given}, or a new temporary folder when it is null. */
  static WorkDir of(String given) throws IOException {
    return given != null ? new WorkDir(given, false)
        : new WorkDir(Files.createTempDirectory("vidar-work-").toString(), true);
  }

  String path() {
    return path;
  }

  /** Deletes a temporary folder; a failure to do so is reported, never thrown over the job's outcome. */
  @Override
  public void close() {
    if (!temporary) {
      return;
    }
    try {
      DataPaths.deleteRecursively(path);
    } catch (IOException e) {
      System.err.println("warning: could not delete the temporary working directory " + path + ": " + e);
    }
  }
}
