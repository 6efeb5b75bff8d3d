package org.vidar.data;

/**
 * A record's payload is unusable; thrown by the codecs, which do not know where the payload came
 * from. Readers rethrow it as a {@link BadRecordException} that names the file and position.
 */
public final class InvalidRecordException extends Exception {
  private static final long serialVersionUID = 1L;
  private final RecordProblem problem;

  public InvalidRecordException(RecordProblem problem, String detail) {
    super(detail);
    this.problem = problem;
  }

  public RecordProblem problem() {
    return problem;
  }
}
