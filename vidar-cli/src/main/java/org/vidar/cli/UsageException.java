package org.vidar.cli;

/**
 * A command line that cannot be run as given, found by the command rather than by picocli (an
 * option's value out of its range, options that do not go together, a checkpoint made with other
 * options): exit code {@link ExitCodes#USAGE}, its message on stderr, without picocli's usage
 * text, which would bury it.
 */
final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }

  UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
