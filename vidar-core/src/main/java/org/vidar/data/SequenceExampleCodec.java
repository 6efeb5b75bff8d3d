package org.vidar.data;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Frame-level records as {@code tf.train.SequenceExample}: id and labels in the context, and one
 * feature list per feature of the spec holding, per frame, one bytes value of uint8-quantized
 * features (see {@link Quantization}). Decoding dequantizes into one float row per frame.
 *
 * <p>Videos longer than the spec's {@code maxFrames} keep their first {@code maxFrames} frames, as the
 * YouTube-8M starter code does; {@link #truncatedVideos()} counts them so readers can report it.
 */
public final class SequenceExampleCodec implements RecordCodec {
  private final FeatureSpec spec;
  private final ContextFields context;
  private final List<FeatureField> fields;
  private final byte[][] listKeys;
  private final ExampleParser parser;
  private final long[][] values = {new long[4]};
  private final int dimension;
  private long truncatedVideos;

  public SequenceExampleCodec(FeatureSpec spec) {
    this(spec, LabelPolicy.REQUIRED);
  }

  /** A codec for {@code spec} whose records may lack the labels key when {@code labels} allows it. */
  public SequenceExampleCodec(FeatureSpec spec, LabelPolicy labels) {
    if (spec.level() != FeatureSpec.Level.FRAME) {
      throw new IllegalArgumentException("SequenceExampleCodec reads frame-level specs, got " + spec.level());
    }
    this.spec = spec;
    this.context = new ContextFields(spec, List.of(), labels);
    this.fields = spec.features();
    this.listKeys = fields.stream().map(f -> ProtoWire.utf8(f.name())).toArray(byte[][]::new);
    this.parser = new ExampleParser(context.keys(), fields.stream().map(FeatureField::name).toList());
    this.dimension = spec.dimension();
  }

  @Override
  public FeatureSpec spec() {
    return spec;
  }

  /** Videos decoded so far that had more than {@code maxFrames} frames. */
  public long truncatedVideos() {
    return truncatedVideos;
  }

  @Override
  public VideoRecord decode(byte[] payload, int length) throws InvalidRecordException {
    parser.parseSequenceExample(payload, length);
    String id = context.id(parser);
    int[] labels = context.labels(parser, id);
    int count = -1;
    for (int i = 0; i < fields.size(); i++) {
      long entry = parser.entry(ExampleParser.LISTS, i);
      if (entry == ProtoWire.ABSENT) {
        throw new InvalidRecordException(RecordProblem.MISSING_KEY,
            "video " + Excerpt.of(id) + ": feature list " + Excerpt.of(fields.get(i).name()) + " is missing");
      }
      int n = parser.frameCount(i);
      if (count >= 0 && n != count) {
        throw new InvalidRecordException(RecordProblem.BAD_FRAMES, "video " + Excerpt.of(id) + ": feature list "
            + Excerpt.of(fields.get(i).name()) + " has " + n + " frames but " + Excerpt.of(fields.get(0).name()) + " has " + count);
      }
      count = n;
    }
    if (count == 0) {
      throw new InvalidRecordException(RecordProblem.BAD_FRAMES, "video " + Excerpt.of(id) + " has no frames");
    }
    int kept = Math.min(count, spec.maxFrames());
    if (kept < count) {
      truncatedVideos++;
    }
    float[] out = new float[kept * dimension];
    int column = 0;
    for (int i = 0; i < fields.size(); i++) {
      FeatureField f = fields.get(i);
      long[] frames = parser.frames(i);
      for (int t = 0; t < kept; t++) {
        long v = frameValue(frames[t], t, f, id);
        Quantization.dequantize(payload, ProtoWire.start(v), out, t * dimension + column, f.size());
      }
      column += f.size();
    }
    return new VideoRecord(id, labels, kept, out, context.hasLabels(parser));
  }

  /** The slice of frame {@code t}'s one bytes value of {@code f.size()} bytes, which it must hold. */
  private long frameValue(long frame, int t, FeatureField f, String id) throws InvalidRecordException {
    long v = ExampleParser.frameValue(frame);
    int n = 1;
    if (v == ProtoWire.ABSENT) {
      try {
        n = parser.readBytes(frame, true, values, f.name());
      } catch (InvalidRecordException e) {
        throw new InvalidRecordException(e.problem(), "video " + Excerpt.of(id) + ": frame " + t + ": " + e.getMessage());
      }
      v = n > 0 ? values[0][0] : ProtoWire.slice(0, 0);
    }
    if (n != 1 || ProtoWire.length(v) != f.size()) {
      throw new InvalidRecordException(RecordProblem.WRONG_LENGTH, "video " + Excerpt.of(id) + ": frame " + t
          + " of '" + f.name() + "' holds " + (n != 1 ? n + " bytes values, expected 1"
              : ProtoWire.length(v) + " bytes, expected " + f.size()));
    }
    return v;
  }

  /** Parses the whole record, as {@link #decode} does, and reads its id and labels. */
  @Override
  public VideoRecord decodeLabels(byte[] payload, int length) throws InvalidRecordException {
    parser.parseSequenceExample(payload, length);
    String id = context.id(parser);
    return new VideoRecord(id, context.labels(parser, id), 1, new float[0], context.hasLabels(parser));
  }

  /** Quantizes the record's frames (see {@link Quantization}) and encodes them. */
  @Override
  public byte[] encode(VideoRecord record) {
    if (record.dimension() != dimension) {
      throw new IllegalArgumentException("video " + Excerpt.of(record.id()) + ": frames have " + record.dimension()
          + " values, the spec " + dimension);
    }
    byte[] q = new byte[record.features().length];
    Quantization.quantize(record.features(), 0, q, 0, q.length);
    return encodeQuantized(record.id(), record.labels(), record.numFrames(), q);
  }

  /**
   * Encodes already-quantized frames: {@code quantized} holds {@code numFrames} rows of the spec's
   * dimension, row-major.
   */
  public byte[] encodeQuantized(String videoId, int[] labels, int numFrames, byte[] quantized) {
    if (numFrames <= 0 || quantized.length != (long) numFrames * dimension) {
      throw new IllegalArgumentException("video " + Excerpt.of(videoId) + ": " + quantized.length
          + " bytes are not " + numFrames + " frames of " + dimension);
    }
    byte[] id = videoId.getBytes(StandardCharsets.UTF_8);
    int contextSize = context.entriesSize(id, labels);
    int listsSize = 0;
    int[] listSizes = new int[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      int frameFeature = ProtoWire.bytesFeatureSize(fields.get(i).size());
      listSizes[i] = numFrames * ProtoWire.lenFieldSize(1, frameFeature);
      listsSize += ProtoWire.lenFieldSize(1, ProtoWire.mapEntrySize(listKeys[i], listSizes[i]));
    }
    byte[] out = new byte[ProtoWire.lenFieldSize(1, contextSize) + ProtoWire.lenFieldSize(2, listsSize)];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      ProtoWire.writeLenHeader(cos, 1, contextSize);
      context.writeEntries(cos, id, labels);
      ProtoWire.writeLenHeader(cos, 2, listsSize);
      int column = 0;
      for (int i = 0; i < fields.size(); i++) {
        int size = fields.get(i).size();
        ProtoWire.writeMapEntry(cos, listKeys[i], listSizes[i]);
        for (int t = 0; t < numFrames; t++) {
          ProtoWire.writeLenHeader(cos, 1, ProtoWire.bytesFeatureSize(size));
          ProtoWire.writeBytesFeature(cos, quantized, t * dimension + column, size);
        }
        column += size;
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("sizing error while encoding video " + Excerpt.of(videoId), e);
    }
    return out;
  }
}
