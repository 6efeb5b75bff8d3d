package org.vidar.data;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Video-level records as {@code tf.train.Example}: a bytes id, an int64 label list and one float list
 * per feature of the spec, concatenated into a single vector per video.
 */
public final class ExampleCodec implements RecordCodec {
  private final FeatureSpec spec;
  private final ContextFields context;
  private final ExampleParser parser;
  private final byte[][] featureKeys;
  private final int dimension;

  public ExampleCodec(FeatureSpec spec) {
    this(spec, LabelPolicy.REQUIRED);
  }

  /** A codec for {@code spec} whose records may lack the labels key when {@code labels} allows it. */
  public ExampleCodec(FeatureSpec spec, LabelPolicy labels) {
    if (spec.level() != FeatureSpec.Level.VIDEO) {
      throw new IllegalArgumentException("ExampleCodec reads video-level specs, got " + spec.level());
    }
    this.spec = spec;
    List<String> names = spec.features().stream().map(FeatureField::name).toList();
    this.context = new ContextFields(spec, names, labels);
    this.parser = new ExampleParser(context.keys(), List.of());
    this.featureKeys = names.stream().map(ProtoWire::utf8).toArray(byte[][]::new);
    this.dimension = spec.dimension();
  }

  @Override
  public FeatureSpec spec() {
    return spec;
  }

  @Override
  public VideoRecord decode(byte[] payload, int length) throws InvalidRecordException {
    parser.parseExample(payload, length);
    String id = context.id(parser);
    int[] labels = context.labels(parser, id);
    float[] values = new float[dimension];
    int offset = 0;
    List<FeatureField> fields = spec.features();
    for (int i = 0; i < fields.size(); i++) {
      FeatureField f = fields.get(i);
      int slot = context.slot(i);
      if (parser.entry(ExampleParser.CONTEXT, slot) == ProtoWire.ABSENT) {
        throw new InvalidRecordException(RecordProblem.MISSING_KEY,
            "video " + Excerpt.of(id) + ": key " + Excerpt.of(f.name()) + " is missing");
      }
      try {
        parser.readFloats(slot, values, offset, f.size(), f.name());
      } catch (InvalidRecordException e) {
        throw new InvalidRecordException(e.problem(), "video " + Excerpt.of(id) + ": " + e.getMessage());
      }
      offset += f.size();
    }
    return new VideoRecord(id, labels, 1, values, context.hasLabels(parser));
  }

  /** Parses the whole record, as {@link #decode} does, and reads its id and labels. */
  @Override
  public VideoRecord decodeLabels(byte[] payload, int length) throws InvalidRecordException {
    parser.parseExample(payload, length);
    String id = context.id(parser);
    return new VideoRecord(id, context.labels(parser, id), 1, new float[0], context.hasLabels(parser));
  }

  @Override
  public byte[] encode(VideoRecord record) {
    if (record.numFrames() != 1 || record.features().length != dimension) {
      throw new IllegalArgumentException("video " + Excerpt.of(record.id()) + ": a video-level record needs one row of "
          + dimension + " values, got " + record.numFrames() + " x " + record.dimension());
    }
    byte[] id = record.id().getBytes(StandardCharsets.UTF_8);
    int mapSize = context.entriesSize(id, record.labels());
    for (int i = 0; i < featureKeys.length; i++) {
      int size = spec.features().get(i).size();
      mapSize += ProtoWire.lenFieldSize(1, ProtoWire.mapEntrySize(featureKeys[i], ProtoWire.floatFeatureSize(size)));
    }
    byte[] out = new byte[ProtoWire.lenFieldSize(1, mapSize)];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      ProtoWire.writeLenHeader(cos, 1, mapSize);
      context.writeEntries(cos, id, record.labels());
      int offset = 0;
      for (int i = 0; i < featureKeys.length; i++) {
        int size = spec.features().get(i).size();
        ProtoWire.writeMapEntry(cos, featureKeys[i], ProtoWire.floatFeatureSize(size));
        ProtoWire.writeFloatFeature(cos, record.features(), offset, size);
        offset += size;
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("sizing error while encoding video " + Excerpt.of(record.id()), e);
    }
    return out;
  }
}
