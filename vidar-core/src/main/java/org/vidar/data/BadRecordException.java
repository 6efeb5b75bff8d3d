package org.vidar.data;

import java.io.IOException;

/** A bad record in an input file, located by file name, record index (0-based) and byte offset. */
public final class BadRecordException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final long recordIndex;
  private final long byteOffset;
  private final RecordProblem problem;
  private final String detail;

  public BadRecordException(
      String file, long recordIndex, long byteOffset, RecordProblem problem, String detail) {
    super(file + ": record " + recordIndex + " at byte offset " + byteOffset + ": " + detail);
    this.file = file;
    this.recordIndex = recordIndex;
    this.byteOffset = byteOffset;
    this.problem = problem;
    this.detail = detail;
  }

  public String file() {
    return file;
  }

  public long recordIndex() {
    return recordIndex;
  }

  public long byteOffset() {
    return byteOffset;
  }

  public RecordProblem problem() {
    return problem;
  }

  /** The problem without its location. */
  public String detail() {
    return detail;
  }
}
