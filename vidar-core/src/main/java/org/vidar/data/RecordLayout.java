package org.vidar.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What keys one record holds, read without a spec: for each key its place (Example feature, context
 * feature or feature list), its value type and its number of values (frames, for a feature list).
 * {@code vidar inspect} prints it and uses it to tell video-level from frame-level files.
 */
public record RecordLayout(FeatureSpec.Level level, List<KeyInfo> keys) {

  /** One key of a record. */
  public record KeyInfo(String place, String key, String type, int values, int bytesPerValue) {
    @Override
    public String toString() {
      String size = type.startsWith("bytes_list") && bytesPerValue >= 0
          ? values + " x " + bytesPerValue + " bytes" : values + " values";
      return place + " " + Excerpt.of(key) + ": " + type + ", " + size;
    }
  }

  /**
   * Reads the layout of one record's payload, telling the level from it: a record with feature lists
   * is frame-level. The record is parsed as a {@code SequenceExample}, which reads an
   * {@code Example} alike.
   */
  public static RecordLayout of(byte[] buf, int length) throws InvalidRecordException {
    return read(buf, length, null);
  }

  /**
   * Reads the layout of one record of a known level, parsed as that level's message exactly as the
   * codecs parse it (see {@link ExampleParser}): a record one is refused by the other is too.
   */
  public static RecordLayout of(byte[] buf, int length, FeatureSpec.Level level) throws InvalidRecordException {
    return read(buf, length, java.util.Objects.requireNonNull(level, "level"));
  }

  private static RecordLayout read(byte[] buf, int length, FeatureSpec.Level level) throws InvalidRecordException {
    ExampleParser parser = new ExampleParser(List.of(), List.of());
    // the last entry of a repeated key is the one that counts, as in a protobuf map
    Map<String, Long> context = new LinkedHashMap<>();
    Map<String, Long> lists = new LinkedHashMap<>();
    parser.parse(buf, length, level != FeatureSpec.Level.VIDEO,
        (role, key, entry) -> (role == ExampleParser.CONTEXT ? context : lists).put(key, entry));
    boolean frame = level == null ? parser.hadFeatureLists() : level == FeatureSpec.Level.FRAME;
    List<KeyInfo> keys = new ArrayList<>();
    long[][] values = {new long[4]};
    for (Map.Entry<String, Long> e : context.entrySet()) {
      int kind = parser.resolve(e.getValue(), false);
      int n = parser.countValues(kind);
      keys.add(new KeyInfo(frame ? "context" : "feature", e.getKey(), kindName(kind), n,
          kind == ProtoWire.BYTES_LIST ? firstBytesLength(parser, e.getValue(), false, values, e.getKey()) : -1));
    }
    for (Map.Entry<String, Long> e : lists.entrySet()) {
      int frames = parser.readFrames(e.getValue(), values);
      String type = "empty";
      int bytesPer = -1;
      if (frames > 0) {
        long first = values[0][0];
        int kind = parser.resolve(first, true);
        type = kindName(kind);
        if (kind == ProtoWire.BYTES_LIST) {
          bytesPer = firstBytesLength(parser, first, true, new long[][] {new long[4]}, e.getKey());
        }
      }
      keys.add(new KeyInfo("feature list", e.getKey(), type + " per frame", frames, bytesPer));
    }
    return new RecordLayout(frame ? FeatureSpec.Level.FRAME : FeatureSpec.Level.VIDEO, List.copyOf(keys));
  }

  /** The length of the first bytes value of a bytes feature, or -1 when it has none. */
  private static int firstBytesLength(ExampleParser parser, long feature, boolean bare, long[][] values, String key)
      throws InvalidRecordException {
    return parser.readBytes(feature, bare, values, key) > 0 ? ProtoWire.length(values[0][0]) : -1;
  }

  private static String kindName(int kind) {
    return kind == 0 ? "empty" : ProtoWire.kindName(kind);
  }
}
