package org.vidar.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

  /** Reads the layout of one record's payload; a record with feature lists is frame-level. */
  public static RecordLayout of(byte[] buf, int length) throws InvalidRecordException {
    long whole = ProtoWire.slice(0, length);
    long first = ProtoWire.findMessageField(buf, whole, 1, "record");
    long lists = ProtoWire.findMessageField(buf, whole, 2, "record");
    List<KeyInfo> keys = new ArrayList<>();
    boolean frame = lists != ProtoWire.ABSENT;
    long[] list = new long[1];
    long[][] values = {new long[4]};
    ProtoWire.forEachEntry(buf, first, (b, ks, kl, value) -> {
      String key = new String(b, ks, kl, StandardCharsets.UTF_8);
      int kind = ProtoWire.featureKind(b, value, list);
      int n = ProtoWire.countValues(b, list[0], kind);
      int bytesPer = -1;
      if (kind == ProtoWire.BYTES_LIST && n > 0) {
        ProtoWire.readBytesValues(b, list[0], values, key);
        bytesPer = ProtoWire.length(values[0][0]);
      }
      keys.add(new KeyInfo(frame ? "context" : "feature", key, kindName(kind), n, bytesPer));
    }, "features");
    ProtoWire.forEachEntry(buf, lists, (b, ks, kl, value) -> {
      String key = new String(b, ks, kl, StandardCharsets.UTF_8);
      int frames = ProtoWire.readFeatureListEntries(b, value, values, key);
      String type = "empty";
      int bytesPer = -1;
      if (frames > 0) {
        int kind = ProtoWire.featureKind(b, ProtoWire.slice(ProtoWire.start(values[0][0]),
            ProtoWire.length(values[0][0])), list);
        type = kindName(kind);
        if (kind == ProtoWire.BYTES_LIST) {
          long[][] inner = {new long[4]};
          if (ProtoWire.readBytesValues(b, list[0], inner, key) > 0) {
            bytesPer = ProtoWire.length(inner[0][0]);
          }
        }
      }
      keys.add(new KeyInfo("feature list", key, type + " per frame", frames, bytesPer));
    }, "feature_lists");
    return new RecordLayout(frame ? FeatureSpec.Level.FRAME : FeatureSpec.Level.VIDEO, List.copyOf(keys));
  }

  private static String kindName(int kind) {
    return kind == 0 ? "empty" : ProtoWire.kindName(kind);
  }
}
