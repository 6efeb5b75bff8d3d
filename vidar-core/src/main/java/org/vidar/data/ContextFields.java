package org.vidar.data;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The id and labels of a video, read from and written to a {@code Features} map: the part that
 * video-level {@code Example}s and the context of frame-level {@code SequenceExample}s share.
 */
final class ContextFields {
  private final FeatureSpec spec;
  private final List<String> keys; // id keys in order, then the labels key, then the spec's extra keys
  private final int labelsSlot;
  private final long[][] bytesValues = {new long[4]};
  private final byte[] writeIdKey;
  private final byte[] labelsKey;
  private final LabelPolicy labelPolicy;

  /**
   * Reads the id and labels plus {@code extraKeys} (whose entries {@link #value} then returns); the
   * labels key may be absent under {@link LabelPolicy#OPTIONAL}.
   */
  ContextFields(FeatureSpec spec, List<String> extraKeys, LabelPolicy labelPolicy) {
    this.spec = spec;
    this.labelPolicy = labelPolicy;
    labelsSlot = spec.idKeys().size();
    List<String> all = new ArrayList<>(spec.idKeys());
    all.add(spec.labelsKey());
    all.addAll(extraKeys);
    keys = List.copyOf(all);
    writeIdKey = ProtoWire.utf8(keys.get(0));
    labelsKey = ProtoWire.utf8(spec.labelsKey());
  }

  /** The keys the parser should note in the context map, in the order {@link #value} and the rest expect. */
  List<String> keys() {
    return keys;
  }

  /** The parser's slot of extra key {@code i}: see {@link ExampleParser#entry} and its readers. */
  int slot(int i) {
    return labelsSlot + 1 + i;
  }

  String id(ExampleParser parser) throws InvalidRecordException {
    for (int i = 0; i < labelsSlot; i++) {
      long entry = parser.entry(ExampleParser.CONTEXT, i);
      if (entry == ProtoWire.ABSENT) {
        continue;
      }
      String key = spec.idKeys().get(i);
      int n = parser.readBytes(i, bytesValues, key);
      if (n != 1) {
        throw new InvalidRecordException(RecordProblem.WRONG_LENGTH,
            "key " + Excerpt.of(key) + " holds " + n + " values, expected one video id");
      }
      long s = bytesValues[0][0];
      return new String(parser.buffer(), ProtoWire.start(s), ProtoWire.length(s), StandardCharsets.UTF_8);
    }
    throw new InvalidRecordException(RecordProblem.MISSING_KEY,
        "no video id: none of the keys " + spec.idKeys() + " is present");
  }

  /** Whether the record holds the labels key (it may lack it only under {@link LabelPolicy#OPTIONAL}). */
  boolean hasLabels(ExampleParser parser) {
    return parser.entry(ExampleParser.CONTEXT, labelsSlot) != ProtoWire.ABSENT;
  }

  private static final int[] NO_LABELS = new int[0];

  /**
   * The labels, sorted ascending, each checked to lie in the vocabulary and to appear once; none
   * when the key is absent and labels are optional.
   */
  int[] labels(ExampleParser parser, String id) throws InvalidRecordException {
    long entry = parser.entry(ExampleParser.CONTEXT, labelsSlot);
    String key = spec.labelsKey();
    if (entry == ProtoWire.ABSENT) {
      if (labelPolicy == LabelPolicy.OPTIONAL) {
        return NO_LABELS;
      }
      throw new InvalidRecordException(RecordProblem.MISSING_KEY,
          "video " + Excerpt.of(id) + ": key " + Excerpt.of(key) + " is missing");
    }
    long[] raw = parser.readInt64s(labelsSlot, key);
    int[] labels = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < 0 || raw[i] >= spec.numClasses()) {
        throw new InvalidRecordException(RecordProblem.LABEL_OUT_OF_RANGE, "video " + Excerpt.of(id)
            + ": label " + raw[i] + " is outside " + spec.classesDescription());
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
