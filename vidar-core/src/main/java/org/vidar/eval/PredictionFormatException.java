package org.vidar.eval;

import java.io.IOException;

/** A Kaggle prediction CSV line that cannot be read; the message names the file and line. */
public final class PredictionFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final long lineNumber;

  public PredictionFormatException(String fileName, long lineNumber, String problem) {
    super(fileName + ":" + lineNumber + ": " + problem);
    this.fileName = fileName;
    this.lineNumber = lineNumber;
  }

  public String fileName() {
    return fileName;
  }

  /** 1-based line number; the header is line 1. */
  public long lineNumber() {
    return lineNumber;
  }
}
