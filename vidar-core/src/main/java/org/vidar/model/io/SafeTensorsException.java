package org.vidar.model.io;

import java.io.IOException;

/**
 * A tensor file that is malformed or does not hold what the caller expects; the message names the
 * file, the tensor and what is wrong.
 */
public class SafeTensorsException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An error with its message. */
  public SafeTensorsException(String message) {
    super(message);
  }

  /** An error with its message and cause. */
  public SafeTensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
