package org.vidar.cli;

/** The exit codes of every {@code vidar} command, for scripts. */
public final class ExitCodes {
  /** The work was done. */
  public static final int OK = 0;
  /** The work failed: bad input, a missing file, an I/O error. Details on stderr. */
  public static final int FAILED = 1;
  /** The command line was wrong (picocli's usage error code). */
  public static final int USAGE = 2;
  /** The work was done, but bad records were skipped under {@code --skip-bad-records}. */
  public static final int SKIPPED_RECORDS = 3;
  /** Stopped by Ctrl-C: 128 + SIGINT, what shells and the JVM give an interrupted process. */
  public static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
