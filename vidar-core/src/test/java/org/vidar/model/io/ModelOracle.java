package org.vidar.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model probe's oracle: what the bytes of a model directory describe, read from the format's
 * definition alone (the README and the safetensors layout), not with {@link ModelFiles} or
 * {@link SafeTensorsReader}: the architecture, the experts, the class names and every tensor by
 * name, or why the bytes describe no model. {@link #scores} computes a video-level model's class
 * probabilities in double from those tensors, as the README's equations define them.
 */
final class ModelOracle {
  private ModelOracle() {}

  /** Why the bytes describe no model. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String why) {
      super(why, null, false, false);
    }
  }

  /** A model as its files describe it. Frame-level (DBoF) models are described but not scored. */
  record Model(String level, List<String> idKeys, String labelsKey, List<String> featureNames, List<Integer> featureSizes,
      int numClasses, int maxFrames, String trunkType, List<Integer> hidden, boolean contextGating, int[] experts,
      List<String> classNames, Map<String, float[]> tensors, Map<String, int[]> shapes) {
    int inputDim() {
      return featureSizes.stream().mapToInt(Integer::intValue).sum();
    }
  }

  private static final ObjectMapper LAST_WINS = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final ObjectMapper NO_DUPLICATES = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

  /** The model {@code json} (model.json) and {@code tensors} (model.safetensors) describe. */
  static Model read(byte[] json, byte[] tensors) throws Invalid {
    JsonNode root;
    try {
      // model.json: any JSON object; a key given twice keeps its last value, as most readers do
      String text = utf8(json);
      // a byte order mark may open a JSON text (RFC 8259 lets a reader ignore it)
      root = LAST_WINS.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
    } catch (Exception e) {
      throw new Invalid("model.json is not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new Invalid("model.json is not an object");
    }
    if (!"vidar-model".equals(text(root, "format"))) {
      throw new Invalid("format");
    }
    int version = integer(root, "version");
    if (version < 1 || version > 2) {
      throw new Invalid("version " + version);
    }
    JsonNode f = object(root, "features");
    String level = text(f, "level");
    if (!level.equals("video") && !level.equals("frame")) {
      throw new Invalid("level " + level);
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode n : array(f, "idKeys")) {
      if (!n.isTextual() || n.asText().isEmpty()) {
        throw new Invalid("an id key is not a non-empty string");
      }
      ids.add(n.asText());
    }
    if (ids.isEmpty()) {
      throw new Invalid("no id keys");
    }
    String labelsKey = text(f, "labelsKey");
    if (labelsKey.isEmpty()) {
      throw new Invalid("empty labels key");
    }
    List<String> names = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (JsonNode ff : array(f, "features")) {
      String name = text(ff, "name");
      int size = integer(ff, "size");
      if (name.isEmpty() || size < 1 || names.contains(name)) {
        throw new Invalid("feature " + name + ":" + size);
      }
      names.add(name);
      sizes.add(size);
    }
    if (names.isEmpty()) {
      throw new Invalid("no features");
    }
    int classes = integer(f, "numClasses");
    int maxFrames = integer(f, "maxFrames");
    if (classes < 1 || maxFrames < 1) {
      throw new Invalid("numClasses or maxFrames below 1");
    }
    JsonNode t = object(root, "trunk");
    String type = text(t, "type");
    List<Integer> hidden = new ArrayList<>();
    boolean gating = false;
    if (type.equals("video_mlp")) {
      for (JsonNode h : array(t, "hidden")) {
        int w = asInt(h, "hidden");
        if (w < 1) {
          throw new Invalid("hidden width " + w);
        }
        hidden.add(w);
      }
      gating = bool(t, "contextGating");
      if (gating && hidden.isEmpty()) {
        throw new Invalid("context gating without a hidden layer");
      }
      if (!level.equals("video")) {
        throw new Invalid("a video-level trunk on frame-level data");
      }
    } else if (type.equals("dbof")) {
      for (String w : List.of("frameHidden", "videoHidden")) {
        if (integer(t, w) < 1) {
          throw new Invalid(w);
        }
      }
      bool(t, "frameContextGating");
      bool(t, "batchNorm");
      if (!List.of("swap", "mean", "max").contains(text(t, "pooling").toLowerCase(java.util.Locale.ROOT))) {
        throw new Invalid("pooling");
      }
      if (!level.equals("frame")) {
        throw new Invalid("a DBoF trunk on video-level data");
      }
    } else {
      throw new Invalid("trunk type " + type);
    }
    JsonNode e = array(root, "expertsPerClass");
    if (e.size() != classes) {
      throw new Invalid("expertsPerClass has " + e.size() + " entries for " + classes + " classes");
    }
    int[] experts = new int[classes];
    for (int k = 0; k < classes; k++) {
      experts[k] = asInt(e.get(k), "expertsPerClass");
      if (experts[k] < 1 || experts[k] > ModelFiles.MAX_EXPERTS_PER_CLASS) {
        throw new Invalid("class " + k + " has " + experts[k] + " experts");
      }
    }
    List<String> classNames = new ArrayList<>();
    if (root.has("classNames")) {
      for (JsonNode n : array(root, "classNames")) {
        if (!n.isTextual()) {
          throw new Invalid("a class name is not a string: " + n);
        }
        classNames.add(n.asText());
      }
      if (!classNames.isEmpty() && classNames.size() != classes) {
        throw new Invalid(classNames.size() + " class names for " + classes + " classes");
      }
    }
    if (root.has("provenance")) {
      object(root, "provenance");
    }
    Model shape = new Model(level, ids, labelsKey, names, sizes, classes, maxFrames, type, hidden, gating, experts,
        classNames, Map.of(), Map.of());
    if (type.equals("dbof")) {
      // the oracle knows no DBoF tensor names: it reads the header and values, but cannot say which belong
      return withTensors(shape, tensors, null);
    }
    return withTensors(shape, tensors, expectedShapes(shape));
  }

  /** The tensor names and shapes of a video-level model, from the README's architecture. */
  static Map<String, int[]> expectedShapes(Model m) {
    Map<String, int[]> s = new LinkedHashMap<>();
    int in = m.inputDim();
    for (int i = 0; i < m.hidden().size(); i++) {
      int out = m.hidden().get(i);
      s.put("trunk/fc" + i + "/weight", new int[] {in, out});
      s.put("trunk/fc" + i + "/bias", new int[] {out});
      in = out;
    }
    if (m.contextGating()) {
      s.put("trunk/gating/weight", new int[] {in, in});
      s.put("trunk/gating/bias", new int[] {in});
    }
    long experts = 0;
    long gates = 0;
    for (int e : m.experts()) {
      experts += e;
      gates += e + 1;
    }
    s.put("heads.expert.w", new int[] {in, (int) experts});
    s.put("heads.expert.b", new int[] {(int) experts});
    s.put("heads.gate.w", new int[] {in, (int) gates});
    s.put("heads.gate.b", new int[] {(int) gates});
    return s;
  }

  private static Model withTensors(Model m, byte[] file, Map<String, int[]> expected) throws Invalid {
    if (file.length < 8) {
      throw new Invalid("safetensors shorter than its length field");
    }
    long n = le(file, 0, 8);
    if (n < 0 || n > 100_000_000L || n > file.length - 8) {
      throw new Invalid("header length " + n);
    }
    JsonNode header;
    try (JsonParser p = NO_DUPLICATES.createParser(utf8(java.util.Arrays.copyOfRange(file, 8, 8 + (int) n)))) {
      header = NO_DUPLICATES.readTree(p);
      if (p.nextToken() != null) {
        throw new Invalid("content after the header object");
      }
    } catch (Invalid i) {
      throw i;
    } catch (Exception e) {
      throw new Invalid("header not JSON: " + e.getMessage());
    }
    if (header == null || !header.isObject()) {
      throw new Invalid("header not an object");
    }
    long data = file.length - 8 - n;
    long dataStart = 8 + n;
    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, int[]> shapes = new LinkedHashMap<>();
    List<long[]> ranges = new ArrayList<>();
    var fields = header.fields();
    while (fields.hasNext()) {
      var entry = fields.next();
      String name = entry.getKey();
      JsonNode v = entry.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) {
          throw new Invalid("metadata not an object");
        }
        for (var x = v.fields(); x.hasNext(); ) {
          if (!x.next().getValue().isTextual()) {
            throw new Invalid("a metadata value is not a string");
          }
        }
        continue;
      }
      if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
          || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
        throw new Invalid("entry " + name + " malformed");
      }
      String dtype = v.get("dtype").asText();
      int size = switch (dtype) {
        case "F32" -> 4;
        case "F16", "BF16" -> 2;
        default -> throw new Invalid("dtype " + dtype);
      };
      int[] shape = new int[v.get("shape").size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        JsonNode d = v.get("shape").get(i);
        if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
          throw new Invalid("shape of " + name);
        }
        shape[i] = (int) d.asLong();
        try {
          count = Math.multiplyExact(count, shape[i]);
          Math.multiplyExact(count, 4);
        } catch (ArithmeticException overflow) {
          throw new Invalid("shape of " + name + " overflows");
        }
      }
      long[] off = new long[2];
      for (int i = 0; i < 2; i++) {
        JsonNode o = v.get("data_offsets").get(i);
        if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
          throw new Invalid("offsets of " + name);
        }
        off[i] = o.asLong();
      }
      if (off[1] < off[0] || off[1] - off[0] != count * size || off[1] > data) {
        throw new Invalid("offsets of " + name + " do not fit its shape or the data");
      }
      ranges.add(off);
      if (tensors.containsKey(name)) {
        throw new Invalid("tensor twice");
      }
      float[] values = new float[(int) count];
      for (int i = 0; i < count; i++) {
        long at = dataStart + off[0] + (long) i * size;
        values[i] = switch (dtype) {
          case "F32" -> Float.intBitsToFloat((int) le(file, (int) at, 4));
          case "F16" -> half((int) le(file, (int) at, 2));
          default -> Float.intBitsToFloat((int) le(file, (int) at, 2) << 16);
        };
        if (!Float.isFinite(values[i])) {
          throw new Invalid(name + " holds " + values[i]);
        }
      }
      tensors.put(name, values);
      shapes.put(name, shape);
    }
    // the tensors tile the data section: no gap, no overlap, nothing after
    ranges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long end = 0;
    for (long[] r : ranges) {
      if (r[0] != end) {
        throw new Invalid("gap or overlap at " + end);
      }
      end = r[1];
    }
    if (end != data) {
      throw new Invalid("data section of " + data + " bytes, tensors end at " + end);
    }
    if (expected != null) {
      if (!expected.keySet().equals(shapes.keySet())) {
        throw new Invalid("tensors " + shapes.keySet() + ", the architecture has " + expected.keySet());
      }
      for (var x : expected.entrySet()) {
        if (!java.util.Arrays.equals(x.getValue(), shapes.get(x.getKey()))) {
          throw new Invalid("shape of " + x.getKey());
        }
      }
    }
    return new Model(m.level(), m.idKeys(), m.labelsKey(), m.featureNames(), m.featureSizes(), m.numClasses(),
        m.maxFrames(), m.trunkType(), m.hidden(), m.contextGating(), m.experts(), m.classNames(), tensors, shapes);
  }

  /** IEEE half to float. */
  static float half(int h) {
    int sign = (h >>> 15) & 1;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    double v = exp == 0 ? mant * Math.pow(2, -24) : exp == 31 ? (mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
        : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    return (float) (sign == 1 ? -v : v);
  }

  /**
   * The class probabilities of input rows {@code x} ({@code rows × inputDim}): dense ReLU layers,
   * context gating {@code y = x ⊙ σ(x·W + b)}, then per class k with E experts
   * {@code p_k = Σ_e softmax(z)_e σ(a_e)} over its E + 1 gate logits, the last one "absent".
   */
  static double[] scores(Model m, float[] x, int rows) {
    int in = m.inputDim();
    double[] cur = new double[rows * in];
    for (int i = 0; i < cur.length; i++) {
      cur[i] = x[i];
    }
    for (int l = 0; l < m.hidden().size(); l++) {
      int out = m.hidden().get(l);
      double[] y = affine(cur, rows, in, out, m.tensors().get("trunk/fc" + l + "/weight"),
          m.tensors().get("trunk/fc" + l + "/bias"));
      for (int i = 0; i < y.length; i++) {
        y[i] = Math.max(0, y[i]);
      }
      cur = y;
      in = out;
    }
    if (m.contextGating()) {
      double[] g = affine(cur, rows, in, in, m.tensors().get("trunk/gating/weight"), m.tensors().get("trunk/gating/bias"));
      for (int i = 0; i < g.length; i++) {
        g[i] = cur[i] / (1 + Math.exp(-g[i]));
      }
      cur = g;
    }
    int[] e = m.experts();
    int te = 0;
    int tg = 0;
    for (int k : e) {
      te += k;
      tg += k + 1;
    }
    double[] a = affine(cur, rows, in, te, m.tensors().get("heads.expert.w"), m.tensors().get("heads.expert.b"));
    double[] z = affine(cur, rows, in, tg, m.tensors().get("heads.gate.w"), m.tensors().get("heads.gate.b"));
    double[] p = new double[rows * e.length];
    for (int r = 0; r < rows; r++) {
      int eo = 0;
      int go = 0;
      for (int k = 0; k < e.length; k++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= e[k]; j++) {
          max = Math.max(max, z[r * tg + go + j]);
        }
        double sum = 0;
        double present = 0;
        for (int j = 0; j <= e[k]; j++) {
          double w = Math.exp(z[r * tg + go + j] - max);
          sum += w;
          if (j < e[k]) {
            present += w / (1 + Math.exp(-a[r * te + eo + j]));
          }
        }
        p[r * e.length + k] = present / sum;
        eo += e[k];
        go += e[k] + 1;
      }
    }
    return p;
  }

  private static double[] affine(double[] x, int rows, int in, int out, float[] w, float[] b) {
    double[] y = new double[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < out; j++) {
        double s = b[j];
        for (int i = 0; i < in; i++) {
          s += x[r * in + i] * w[i * out + j];
        }
        y[r * out + j] = s;
      }
    }
    return y;
  }

  private static String utf8(byte[] b) throws Invalid {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new Invalid("not UTF-8");
    }
  }

  private static long le(byte[] b, int off, int n) {
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  private static JsonNode get(JsonNode n, String field) throws Invalid {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new Invalid(field + " missing");
    }
    return v;
  }

  private static JsonNode object(JsonNode n, String field) throws Invalid {
    JsonNode v = get(n, field);
    if (!v.isObject()) {
      throw new Invalid(field + " not an object");
    }
    return v;
  }

  private static JsonNode array(JsonNode n, String field) throws Invalid {
    JsonNode v = get(n, field);
    if (!v.isArray()) {
      throw new Invalid(field + " not an array");
    }
    return v;
  }

  private static String text(JsonNode n, String field) throws Invalid {
    JsonNode v = get(n, field);
    if (!v.isTextual()) {
      throw new Invalid(field + " not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) throws Invalid {
    return asInt(get(n, field), field);
  }

  private static int asInt(JsonNode v, String field) throws Invalid {
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new Invalid(field + " not an int");
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode n, String field) throws Invalid {
    JsonNode v = get(n, field);
    if (!v.isBoolean()) {
      throw new Invalid(field + " not a boolean");
    }
    return v.asBoolean();
  }
}
