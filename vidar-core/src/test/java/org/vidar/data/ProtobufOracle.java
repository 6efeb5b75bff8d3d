package org.vidar.data;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What protobuf-java's own parser makes of a payload ({@link DynamicMessage} over {@link TfProtos}),
 * read with the codecs' rules of extraction: the reference the codecs must agree with. Where the
 * codecs name a problem of their own (a missing key, a wrong length), so does the oracle, checking
 * in the codecs' order.
 */
final class ProtobufOracle {
  private ProtobufOracle() {}

  /** The record the codec must return, or the problem it must name ({@code MALFORMED}: protobuf refuses the bytes). */
  record Verdict(RecordProblem problem, VideoRecord record, String why) {
    static Verdict decoded(VideoRecord r) {
      return new Verdict(null, r, "decoded");
    }

    boolean refused() {
      return problem != null;
    }

    @Override
    public String toString() {
      return refused() ? problem + " (" + why + ")" : String.valueOf(record);
    }
  }

  /** Signals a problem the extraction rules name. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final RecordProblem problem;

    Refusal(RecordProblem problem, String why) {
      super(why, null, false, false);
      this.problem = problem;
    }
  }

  /** The verdict on {@code payload} read by a codec of {@code spec}; only id and labels with {@code labelsOnly}. */
  static Verdict verdict(FeatureSpec spec, LabelPolicy labels, byte[] payload, boolean labelsOnly) {
    boolean video = spec.level() == FeatureSpec.Level.VIDEO;
    DynamicMessage m;
    try {
      m = DynamicMessage.parseFrom(video ? TfProtos.EXAMPLE : TfProtos.SEQUENCE_EXAMPLE, payload);
    } catch (InvalidProtocolBufferException e) {
      return new Verdict(RecordProblem.MALFORMED, null, e.getMessage());
    }
    try {
      Map<String, DynamicMessage> context = featureMap(TfProtos.subMessage(m, video ? "features" : "context"));
      String id = id(spec, context);
      int[] labelList = labels(spec, labels, context, id);
      VideoRecord r = labelsOnly ? new VideoRecord(id, labelList, 1, new float[0])
          : video ? videoFeatures(spec, context, id, labelList)
          : frames(spec, featureListMap(TfProtos.subMessage(m, "feature_lists")), id, labelList);
      // without the labels key (read under OPTIONAL) the video is unlabelled, not one with no labels
      return Verdict.decoded(context.containsKey(spec.labelsKey()) ? r
          : new VideoRecord(r.id(), r.labels(), r.numFrames(), r.features(), false));
    } catch (Refusal r) {
      return new Verdict(r.problem, null, r.getMessage());
    }
  }

  /** A Features map as protobuf's map semantics read it: a key that repeats keeps its last entry. */
  static Map<String, DynamicMessage> featureMap(DynamicMessage features) {
    Map<String, DynamicMessage> m = new LinkedHashMap<>();
    for (Object o : (List<?>) features.getField(TfProtos.FEATURES.findFieldByName("feature"))) {
      DynamicMessage e = (DynamicMessage) o;
      m.put((String) e.getField(TfProtos.FEATURES_ENTRY.findFieldByName("key")),
          (DynamicMessage) e.getField(TfProtos.FEATURES_ENTRY.findFieldByName("value")));
    }
    return m;
  }

  /** A FeatureLists map, last entry of a key winning, as lists of frame Features. */
  static Map<String, List<DynamicMessage>> featureListMap(DynamicMessage lists) {
    Map<String, List<DynamicMessage>> m = new LinkedHashMap<>();
    for (Object o : (List<?>) lists.getField(TfProtos.FEATURE_LISTS.findFieldByName("feature_list"))) {
      DynamicMessage e = (DynamicMessage) o;
      DynamicMessage list = (DynamicMessage) e.getField(TfProtos.FEATURE_LISTS_ENTRY.findFieldByName("value"));
      m.put((String) e.getField(TfProtos.FEATURE_LISTS_ENTRY.findFieldByName("key")),
          ((List<?>) list.getField(TfProtos.FEATURE_LIST.findFieldByName("feature"))).stream()
              .map(x -> (DynamicMessage) x).toList());
    }
    return m;
  }

  private static void requireKind(DynamicMessage feature, String expected, String key) throws Refusal {
    String kind = TfProtos.kind(feature);
    if (kind != null && !kind.equals(expected)) {
      throw new Refusal(RecordProblem.WRONG_TYPE, key + " holds " + kind);
    }
  }

  private static List<ByteString> bytesValues(DynamicMessage feature, String key) throws Refusal {
    requireKind(feature, "bytes_list", key);
    return TfProtos.kind(feature) == null ? List.of() : TfProtos.bytesValues(feature);
  }

  private static String id(FeatureSpec spec, Map<String, DynamicMessage> context) throws Refusal {
    for (String key : spec.idKeys()) {
      if (!context.containsKey(key)) {
        continue;
      }
      List<ByteString> values = bytesValues(context.get(key), key);
      if (values.size() != 1) {
        throw new Refusal(RecordProblem.WRONG_LENGTH, key + " holds " + values.size() + " values");
      }
      return new String(values.get(0).toByteArray(), StandardCharsets.UTF_8);
    }
    throw new Refusal(RecordProblem.MISSING_KEY, "no id");
  }

  private static int[] labels(FeatureSpec spec, LabelPolicy policy, Map<String, DynamicMessage> context, String id)
      throws Refusal {
    DynamicMessage f = context.get(spec.labelsKey());
    if (f == null) {
      if (policy == LabelPolicy.OPTIONAL) {
        return new int[0];
      }
      throw new Refusal(RecordProblem.MISSING_KEY, "no labels");
    }
    requireKind(f, "int64_list", spec.labelsKey());
    long[] raw = TfProtos.kind(f) == null ? new long[0] : TfProtos.int64Values(f);
    int[] labels = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] < 0 || raw[i] >= spec.numClasses()) {
        throw new Refusal(RecordProblem.LABEL_OUT_OF_RANGE, "label " + raw[i]);
      }
      labels[i] = (int) raw[i];
    }
    Arrays.sort(labels);
    for (int i = 1; i < labels.length; i++) {
      if (labels[i] == labels[i - 1]) {
        throw new Refusal(RecordProblem.DUPLICATE_LABEL, "label " + labels[i]);
      }
    }
    return labels;
  }

  private static VideoRecord videoFeatures(FeatureSpec spec, Map<String, DynamicMessage> context, String id,
      int[] labels) throws Refusal {
    float[] values = new float[spec.dimension()];
    int offset = 0;
    for (FeatureField field : spec.features()) {
      DynamicMessage f = context.get(field.name());
      if (f == null) {
        throw new Refusal(RecordProblem.MISSING_KEY, "no " + field.name());
      }
      requireKind(f, "float_list", field.name());
      float[] v = TfProtos.kind(f) == null ? new float[0] : TfProtos.floatValues(f);
      if (v.length != field.size()) {
        throw new Refusal(RecordProblem.WRONG_LENGTH, field.name() + " has " + v.length);
      }
      for (float x : v) {
        if (!Float.isFinite(x)) {
          throw new Refusal(RecordProblem.NON_FINITE, field.name() + " holds " + x);
        }
      }
      System.arraycopy(v, 0, values, offset, v.length);
      offset += v.length;
    }
    return new VideoRecord(id, labels, 1, values);
  }

  private static VideoRecord frames(FeatureSpec spec, Map<String, List<DynamicMessage>> lists, String id,
      int[] labels) throws Refusal {
    List<FeatureField> fields = spec.features();
    int count = -1;
    for (FeatureField field : fields) {
      List<DynamicMessage> frames = lists.get(field.name());
      if (frames == null) {
        throw new Refusal(RecordProblem.MISSING_KEY, "no list " + field.name());
      }
      if (count >= 0 && frames.size() != count) {
        throw new Refusal(RecordProblem.BAD_FRAMES, field.name() + " has " + frames.size() + " frames");
      }
      count = frames.size();
    }
    if (count == 0) {
      throw new Refusal(RecordProblem.BAD_FRAMES, "no frames");
    }
    int kept = Math.min(count, spec.maxFrames());
    int dim = spec.dimension();
    float[] out = new float[kept * dim];
    int column = 0;
    for (FeatureField field : fields) {
      List<DynamicMessage> frames = lists.get(field.name());
      for (int t = 0; t < kept; t++) {
        List<ByteString> values = bytesValues(frames.get(t), field.name());
        if (values.size() != 1 || values.get(0).size() != field.size()) {
          throw new Refusal(RecordProblem.WRONG_LENGTH, field.name() + " frame " + t);
        }
        byte[] q = values.get(0).toByteArray();
        for (int j = 0; j < q.length; j++) {
          out[t * dim + column + j] = Quantization.dequantize(q[j]);
        }
      }
      column += field.size();
    }
    return new VideoRecord(id, labels, kept, out);
  }
}
