package org.vidar.data;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The id and labels of a video, read from and written to a {@code Features} map: the part that
 * video-level {@code Example}s and the context of frame-level {@code SequenceExample}s share.
 */
final class ContextFields {
  private final FeatureSpec spec;
  private final byte[][] keys; // id keys in order, then the labels key, then the spec's extra keys
  private final int labelsSlot;
  private final long[] values;
  private final long[][] bytesValues = {new long[4]};
  private final byte[] writeIdKey;
  private final byte[] labelsKey;
  private final LabelPolicy labelPolicy;

  /**
   * Reads the id and labels plus {@code extraKeys} (whose slices {@link #value} then returns); the
   * labels key may be absent under {@link LabelPolicy#OPTIONAL}.
   */
  ContextFields(FeatureSpec spec, List<String> extraKeys, LabelPolicy labelPolicy) {
    this.spec = spec;
    this.labelPolicy = labelPolicy;
    List<String> ids = spec.idKeys();
    labelsSlot = ids.size();
    keys = new byte[ids.size() + 1 + extraKeys.size()][];
    for (int i = 0; i < ids.size(); i++) {
      keys[i] = ProtoWire.utf8(ids.get(i));
    }
    keys[labelsSlot] = ProtoWire.utf8(spec.labelsKey());
    for (int i = 0; i < extraKeys.size(); i++) {
      keys[labelsSlot + 1 + i] = ProtoWire.utf8(extraKeys.get(i));
    }
    values = new long[keys.length];
    writeIdKey = keys[0];
    labelsKey = keys[labelsSlot];
  }

  /** Scans a Features map; afterwards {@link #id}, {@link #labels} and {@link #value} read from it. */
  void scan(byte[] buf, long features) throws InvalidRecordException {
    ProtoWire.scanMap(buf, features, keys, values, "features");
  }

  /** The slice of extra key {@code i}'s Feature, or {@link ProtoWire#ABSENT}. */
  long value(int i) {
    return values[labelsSlot + 1 + i];
  }

  String id(byte[] buf) throws InvalidRecordException {
    for (int i = 0; i < labelsSlot; i++) {
      if (values[i] == ProtoWire.ABSENT) {
        continue;
      }
      String key = spec.idKeys().get(i);
      long list = ProtoWire.featureList(buf, values[i], ProtoWire.BYTES_LIST, key);
      int n = ProtoWire.readBytesValues(buf, list, bytesValues, key);
      if (n != 1) {
        throw new InvalidRecordException(RecordProblem.WRONG_LENGTH,
            "key " + Excerpt.of(key) + " holds " + n + " values, expected one video id");
      }
      long s = bytesValues[0][0];
      return new String(buf, ProtoWire.start(s), ProtoWire.length(s), StandardCharsets.UTF_8);
    }
    throw new InvalidRecordException(RecordProblem.MISSING_KEY,
        "no video id: none of the keys " + spec.idKeys() + " is present");
  }

  private static final int[] NO_LABELS = new int[0];

  /**
   * The labels, sorted ascending, each checked to lie in the vocabulary and to appear once; none
   * when the key is absent and labels are optional.
   */
  int[] labels(byte[] buf, String id) throws InvalidRecordException {
    long feature = values[labelsSlot];
    String key = spec.labelsKey();
    if (feature == ProtoWire.ABSENT) {
      if (labelPolicy == LabelPolicy.OPTIONAL) {
        return NO_LABELS;
      }
      throw new InvalidRecordException(RecordProblem.MISSING_KEY,
          "video " + Excerpt.of(id) + ": key " + Excerpt.of(key) + " is missing");
    }
    long[] raw = ProtoWire.readInt64s(buf, ProtoWire.featureList(buf, feature, ProtoWire.INT64_LIST, key), key);
    int[] labels = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < 0 || raw[i] >= spec.numClasses()) {
        throw new InvalidRecordException(RecordProblem.LABEL_OUT_OF_RANGE, "video " + Excerpt.of(id)
            + ": label " + raw[i] + " lies outside the vocabulary of " + spec.numClasses() + " classes");
      }
      labels[i] = (int) raw[i];
    }
    Arrays.sort(labels);
    for (int i = 1; i < labels.length; i++) {
      if (labels[i] == labels[i - 1]) {
        throw new InvalidRecordException(RecordProblem.DUPLICATE_LABEL,
            "video " + Excerpt.of(id) + ": label " + labels[i] + " appears more than once");
      }
    }
    return labels;
  }

  // ---- writing: the id and labels entries of a Features map ----

  int entriesSize(byte[] id, int[] labels) {
    return ProtoWire.lenFieldSize(1, ProtoWire.mapEntrySize(writeIdKey, ProtoWire.bytesFeatureSize(id.length)))
        + ProtoWire.lenFieldSize(1, ProtoWire.mapEntrySize(labelsKey, ProtoWire.int64FeatureSize(labels)));
  }

  void writeEntries(CodedOutputStream out, byte[] id, int[] labels) throws IOException {
    ProtoWire.writeMapEntry(out, writeIdKey, ProtoWire.bytesFeatureSize(id.length));
    ProtoWire.writeBytesFeature(out, id, 0, id.length);
    ProtoWire.writeMapEntry(out, labelsKey, ProtoWire.int64FeatureSize(labels));
    ProtoWire.writeInt64Feature(out, labels);
  }
}
