package org.vidar.data;

/**
 * Turns one TFRecord payload into a {@link VideoRecord} and back, for the layout a {@link FeatureSpec}
 * describes. Instances keep scratch state: use one per thread.
 */
public interface RecordCodec {
  /** The layout this codec reads and writes. */
  FeatureSpec spec();

  /** Decodes {@code length} bytes of {@code payload}; the record is checked against the spec. */
  VideoRecord decode(byte[] payload, int length) throws InvalidRecordException;

  /**
   * Decodes only the id and labels (checked as in {@link #decode}), leaving the features unread: the
   * returned record has one empty row. For jobs that need the labels alone, such as evaluation.
   */
  VideoRecord decodeLabels(byte[] payload, int length) throws InvalidRecordException;

  /** Encodes a record as the spec's message type. */
  byte[] encode(VideoRecord record);

  /** The codec for a spec's level; records must carry labels. */
  static RecordCodec forSpec(FeatureSpec spec) {
    return forSpec(spec, LabelPolicy.REQUIRED);
  }

  /** The codec for a spec's level, reading labels under {@code labels}. */
  static RecordCodec forSpec(FeatureSpec spec, LabelPolicy labels) {
    return spec.level() == FeatureSpec.Level.VIDEO
        ? new ExampleCodec(spec, labels)
        : new SequenceExampleCodec(spec, labels);
  }
}
