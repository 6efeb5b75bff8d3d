package org.vidar.data;

/** What can be wrong with one record of an input file; the reason reported for a skipped record. */
public enum RecordProblem {
  /** The CRC of the 8-byte length does not match: the framing of the rest of the file is lost. */
  CORRUPT_LENGTH("length checksum mismatch", true),
  /** The CRC of the payload does not match its bytes. */
  CORRUPT_DATA("payload checksum mismatch", false),
  /** A compressed file's header is corrupt: none of the file can be read. */
  UNREADABLE_FILE("the file cannot be decompressed", true),
  /** The file ends inside a record: the rest of the file is unreadable. */
  TRUNCATED("file ends inside a record", true),
  /** The payload is not a valid protocol buffer of the expected message type. */
  MALFORMED("payload is not a valid protocol buffer of the expected type", false),
  /** A key named in the feature spec is absent. */
  MISSING_KEY("a required key is missing", false),
  /** A key is present with another value kind than the spec expects (for example floats for bytes). */
  WRONG_TYPE("a key holds the wrong value type", false),
  /** A feature vector has another size than the spec says. */
  WRONG_LENGTH("a feature has the wrong length", false),
  /** A feature holds NaN or an infinity. */
  NON_FINITE("a feature holds NaN or infinity", false),
  /** A label index lies outside the classes (of the vocabulary, the model, --classes or the data). */
  LABEL_OUT_OF_RANGE("a label lies outside the classes", false),
  /** A label appears more than once in one video. */
  DUPLICATE_LABEL("a label appears more than once", false),
  /** A frame-level video has no frames, or its feature lists disagree on the number of frames. */
  BAD_FRAMES("frame lists are empty or of unequal lengths", false);

  private final String description;
  private final boolean losesRestOfFile;

  RecordProblem(String description, boolean losesRestOfFile) {
    this.description = description;
    this.losesRestOfFile = losesRestOfFile;
  }

  /** A short phrase for reports. */
  public String description() {
    return description;
  }

  /** True when no later record of the same file can be located after this problem. */
  public boolean losesRestOfFile() {
    return losesRestOfFile;
  }
}
