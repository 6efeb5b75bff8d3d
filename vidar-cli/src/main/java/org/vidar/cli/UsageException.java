package org.vidar.cli;

/**
 * A command line that cannot be run as given, found only once the command looks at its inputs (a
 * checkpoint made with other options): exit code {@link ExitCodes#USAGE}, its message on stderr,
 * without picocli's usage text, which would bury it.
 */
final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
