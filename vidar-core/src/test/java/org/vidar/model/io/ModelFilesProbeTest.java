package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;
import org.vidar.ProbeTally.Verdict;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoBatch;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.param.TensorRef;

/**
 * The probe of model directories (issue 12): small models written by {@link ModelFiles#save}, then
 * {@code model.json} changed field by field (values of every JSON type, fields removed or added,
 * the text cut, junk after it, invalid UTF-8) and {@code model.safetensors} changed in its header
 * length, its header (dtypes, shapes, offsets, names, metadata, duplicates, padding) and its data
 * (NaN, infinities, other values, bytes after, cut), or rewritten in F16 and BF16; files removed.
 * {@link ModelFiles#load} must either refuse with an I/O error naming the file, or give the model
 * {@link ModelOracle} reads in the same bytes: the same architecture, experts, class names and
 * tensors, and the same scores on sample videos.
 */
class ModelFilesProbeTest {
  private static final int CASES = ProbeTally.cases(2_000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<FeatureField> FIELDS = List.of(new FeatureField("rgb", 5), new FeatureField("audio", 2));

  @TempDir
  Path dir;

  /** A saved model's two files. */
  private record Files2(byte[] json, byte[] tensors) {}

  private Files2 base(SplittableRandom r, int i) throws IOException {
    int classes = 1 + r.nextInt(4);
    List<Integer> hidden = switch (r.nextInt(3)) {
      case 0 -> List.of();
      case 1 -> List.of(4);
      default -> List.of(3, 4);
    };
    boolean gating = !hidden.isEmpty() && r.nextBoolean();
    FeatureSpec spec = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id", "video_id"), "labels", FIELDS, classes, 300);
    int[] experts = r.ints(classes, 1, 4).toArray();
    VideoModel m = VideoModel.initialize(new ModelConfig(spec, new TrunkConfig.VideoMlp(hidden, gating)),
        ExpertAllocation.of(experts), new SplittableRandom(i));
    float[] tp = m.trunkParams().clone();
    float[] hp = m.headParams().clone();
    for (float[] p : new float[][] {tp, hp}) {
      for (int k = 0; k < p.length; k++) {
        p[k] += (float) r.nextGaussian() * 0.5f;
      }
    }
    m = new VideoModel(m.config(), tp, m.allocation(), hp);
    List<String> names = r.nextBoolean() ? List.of() : java.util.stream.IntStream.range(0, classes)
        .mapToObj(k -> "class " + k).toList();
    Path out = dir.resolve("base");
    ModelFiles.save(out.toString(), m, names, ModelFiles.noProvenance().put("seed", i));
    return new Files2(Files.readAllBytes(out.resolve(ModelFiles.CONFIG)), Files.readAllBytes(out.resolve(ModelFiles.TENSORS)));
  }

  // ---- mutations of model.json ----

  private static JsonNode randomValue(SplittableRandom r) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (r.nextInt(16)) {
      case 0 -> f.nullNode();
      case 1 -> f.booleanNode(r.nextBoolean());
      case 2 -> f.textNode("");
      case 3 -> f.textNode(r.nextBoolean() ? "video" : "x" + r.nextInt(10));
      case 4 -> f.numberNode(-1);
      case 5 -> f.numberNode(0);
      case 6 -> f.numberNode(1 + r.nextInt(4));
      case 7 -> f.numberNode(10_000_000);
      case 8 -> f.numberNode(1L << 31);
      case 9 -> f.numberNode(1.5);
      case 10 -> f.numberNode(new java.math.BigInteger("1" + "0".repeat(30)));
      case 11 -> f.arrayNode();
      case 12 -> f.objectNode();
      case 13 -> f.arrayNode().add(f.nullNode());
      case 14 -> f.arrayNode().add(1).add(2);
      default -> f.numberNode(2.0);
    };
  }

  /** Every (container, key or index) of the tree. */
  private static void places(JsonNode n, List<Object[]> into) {
    if (n.isObject()) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        into.add(new Object[] {n, k});
        places(n.get(k), into);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        into.add(new Object[] {n, i});
        places(n.get(i), into);
      }
    }
  }

  private static byte[] mutateJson(byte[] json, SplittableRandom r, StringBuilder what) throws IOException {
    if (r.nextInt(5) == 0) {
      return mutateText(json, r, what);
    }
    JsonNode root = JSON.readTree(json);
    List<Object[]> places = new ArrayList<>();
    places(root, places);
    Object[] p = places.get(r.nextInt(places.size()));
    JsonNode parent = (JsonNode) p[0];
    String where = p[1].toString();
    switch (r.nextInt(5)) {
      case 0, 1, 2 -> {
        JsonNode v = randomValue(r);
        what.append("model.json ").append(where).append(" set to ").append(v);
        if (parent.isObject()) {
          ((ObjectNode) parent).set(where, v);
        } else {
          ((ArrayNode) parent).set((int) p[1], v);
        }
      }
      case 3 -> {
        what.append("model.json ").append(where).append(" removed");
        if (parent.isObject()) {
          ((ObjectNode) parent).remove(where);
        } else {
          ((ArrayNode) parent).remove((int) p[1]);
        }
      }
      default -> {
        JsonNode old = parent.isObject() ? parent.get(where) : parent.get((int) p[1]);
        JsonNode v = old.isInt() ? JsonNodeFactory.instance.numberNode(old.asInt() + r.nextInt(-2, 3))
            : old.isArray() ? ((ArrayNode) old.deepCopy()).add(old.size() > 0 ? old.get(0) : randomValue(r))
            : randomValue(r);
        what.append("model.json ").append(where).append(" ").append(old).append(" -> ").append(v);
        if (parent.isObject()) {
          ((ObjectNode) parent).set(where, v);
        } else {
          ((ArrayNode) parent).set((int) p[1], v);
        }
      }
    }
    return JSON.writeValueAsBytes(root);
  }

  private static byte[] mutateText(byte[] b, SplittableRandom r, StringBuilder what) {
    int n = b.length;
    switch (r.nextInt(5)) {
      case 0 -> {
        int at = r.nextInt(n);
        what.append(" cut at ").append(at);
        return Arrays.copyOf(b, at);
      }
      case 1 -> {
        what.append(" junk appended");
        return concat(b, r.nextBoolean() ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[] {'x', 0, (byte) 0xff});
      }
      case 2 -> {
        int at = r.nextInt(n);
        what.append(" invalid UTF-8 at ").append(at);
        return concat(Arrays.copyOf(b, at), new byte[] {(byte) 0xc3, '"'}, Arrays.copyOfRange(b, at, n));
      }
      case 3 -> {
        what.append(" byte order mark and white space");
        return concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, b, "\n \t".getBytes(StandardCharsets.UTF_8));
      }
      default -> {
        int at = r.nextInt(n);
        byte[] c = b.clone();
        c[at] = (byte) "{}[],:\"0 -a\\".charAt(r.nextInt(12));
        what.append(" byte ").append(at).append(" set to '").append((char) c[at]).append("'");
        return c;
      }
    }
  }

  // ---- mutations of model.safetensors ----

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] file(String header, byte[] data, long length) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
    return concat(len.array(), h, data);
  }

  private static byte[] file(String header, byte[] data) {
    return file(header, data, header.getBytes(StandardCharsets.UTF_8).length);
  }

  private static int headerLength(byte[] t) {
    return (int) ByteBuffer.wrap(t, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static byte[] mutateTensors(byte[] t, SplittableRandom r, StringBuilder what) throws IOException {
    int n = headerLength(t);
    ObjectNode header = (ObjectNode) JSON.readTree(Arrays.copyOfRange(t, 8, 8 + n));
    byte[] data = Arrays.copyOfRange(t, 8 + n, t.length);
    List<String> names = new ArrayList<>();
    header.fieldNames().forEachRemaining(names::add);
    names.remove("__metadata__");
    String name = names.get(r.nextInt(names.size()));
    ObjectNode entry = (ObjectNode) header.get(name);
    what.append("model.safetensors ");
    switch (r.nextInt(14)) {
      case 0 -> {
        long l = r.nextBoolean() ? n + r.nextInt(-8, 9) : r.nextBoolean() ? r.nextLong() : 100_000_001L;
        what.append("header length ").append(l);
        return file(header.toString(), data, l);
      }
      case 1 -> {
        String[] dtypes = {"F16", "BF16", "F64", "I32", "U8", "f32", "", "BOOL"};
        String d = dtypes[r.nextInt(dtypes.length)];
        what.append(name).append(" dtype ").append(d);
        entry.put("dtype", d);
      }
      case 2 -> {
        ArrayNode shape = (ArrayNode) entry.get("shape");
        int i = r.nextInt(shape.size() + 1);
        if (i == shape.size() || r.nextBoolean()) {
          shape.add(r.nextBoolean() ? 1 : 0);
          what.append(name).append(" shape gains a dimension");
        } else {
          long v = r.nextBoolean() ? shape.get(i).asLong() + r.nextInt(-2, 3) : r.nextBoolean() ? -1 : 1L << 40;
          shape.set(i, JsonNodeFactory.instance.numberNode(v));
          what.append(name).append(" shape[").append(i).append("] = ").append(v);
        }
      }
      case 3 -> {
        ArrayNode off = (ArrayNode) entry.get("data_offsets");
        int i = r.nextInt(2);
        long v = r.nextBoolean() ? off.get(i).asLong() + r.nextInt(-8, 9) : r.nextBoolean() ? -4 : Long.MAX_VALUE;
        off.set(i, JsonNodeFactory.instance.numberNode(v));
        what.append(name).append(" data_offsets[").append(i).append("] = ").append(v);
      }
      case 4 -> {
        String other = names.get(r.nextInt(names.size()));
        JsonNode tmp = entry.get("data_offsets");
        entry.set("data_offsets", header.get(other).get("data_offsets"));
        ((ObjectNode) header.get(other)).set("data_offsets", tmp);
        what.append(name).append(" and ").append(other).append(" swap offsets");
      }
      case 5 -> {
        header.remove(name);
        what.append(name).append(" removed");
      }
      case 6 -> {
        String[] renames = {name + "x", name.toUpperCase(java.util.Locale.ROOT), "", "__metadata__2", "heads.expert.w"};
        String to = renames[r.nextInt(renames.length)];
        header.remove(name);
        header.set(to, entry);
        what.append(name).append(" renamed ").append(to);
      }
      case 7 -> {
        JsonNode v = randomValue(r);
        String[] keys = {"dtype", "shape", "data_offsets", "extra"};
        String k = keys[r.nextInt(keys.length)];
        entry.set(k, v);
        what.append(name).append(".").append(k).append(" = ").append(v);
      }
      case 8 -> {
        JsonNode v = r.nextBoolean() ? randomValue(r) : JsonNodeFactory.instance.objectNode().put("k", r.nextInt());
        header.set("__metadata__", v);
        what.append("__metadata__ = ").append(v);
      }
      case 9 -> {
        // the header text given the same key twice
        String h = header.toString();
        String dup = ",\"" + name + "\":" + entry;
        what.append(name).append(" twice in the header");
        return file(h.substring(0, h.length() - 1) + dup + "}", data);
      }
      case 10 -> {
        String pad = r.nextBoolean() ? "    " : "  x";
        what.append("header padded with '").append(pad).append("'");
        return file(header + pad, data);
      }
      case 11 -> {
        // one float of the data set to a special or other value
        int at = 4 * r.nextInt(data.length / 4);
        float[] values = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE,
            (float) r.nextGaussian(), 1e4f, -1e4f, 0f};
        float v = values[r.nextInt(values.length)];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, v);
        what.append("data float at byte ").append(at).append(" = ").append(v);
      }
      case 12 -> {
        if (r.nextBoolean()) {
          int k = 1 + r.nextInt(16);
          what.append(k).append(" bytes appended");
          return concat(t, new byte[k]);
        }
        int at = r.nextInt(t.length);
        what.append("cut at ").append(at);
        return Arrays.copyOf(t, at);
      }
      default -> {
        return reencode(header, data, r, what);
      }
    }
    return file(header.toString(), data);
  }

  /** Every F32 tensor rewritten as F16 or BF16 (or kept), the offsets packed again: a valid file. */
  private static byte[] reencode(ObjectNode header, byte[] data, SplittableRandom r, StringBuilder what) {
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    header.fields().forEachRemaining(entries::add);
    entries.removeIf(e -> e.getKey().equals("__metadata__"));
    entries.sort((a, b) -> Long.compare(a.getValue().get("data_offsets").get(0).asLong(),
        b.getValue().get("data_offsets").get(0).asLong()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<String, JsonNode> e : entries) {
      ObjectNode entry = (ObjectNode) e.getValue();
      int from = (int) entry.get("data_offsets").get(0).asLong();
      int to = (int) entry.get("data_offsets").get(1).asLong();
      String dtype = new String[] {"F32", "F16", "BF16"}[r.nextInt(3)];
      long begin = out.size();
      for (int i = from; i < to; i += 4) {
        float f = in.getFloat(i);
        int bits = Float.floatToRawIntBits(f);
        switch (dtype) {
          case "F32" -> out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array());
          case "BF16" -> {
            out.write(bits >>> 16);
            out.write(bits >>> 24);
          }
          default -> {
            short h = HalfFloats.floatToHalf(f);
            out.write(h);
            out.write(h >>> 8);
          }
        }
      }
      entry.put("dtype", dtype);
      entry.set("data_offsets", JsonNodeFactory.instance.arrayNode().add(begin).add(out.size()));
    }
    what.append("rewritten in F16 and BF16");
    return file(header.toString(), out.toByteArray());
  }

  // ---- checking ----

  private static final float[][] INPUTS = inputs();

  private static float[][] inputs() {
    SplittableRandom r = new SplittableRandom(5);
    float[][] x = new float[3][7];
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (r.nextDouble() * 4 - 2);
      }
    }
    return x;
  }

  private static Verdict check(Path model, byte[] json, byte[] tensors) throws IOException {
    ModelOracle.Model want;
    String invalid = null;
    try {
      want = json == null || tensors == null ? null : ModelOracle.read(json, tensors);
      if (want == null) {
        invalid = "a file is missing";
      }
    } catch (ModelOracle.Invalid e) {
      want = null;
      invalid = e.getMessage();
    }
    ModelFiles.Saved got;
    try {
      got = ModelFiles.load(model.toString());
    } catch (IOException e) {
      return ProbeTally.named(e, model.toString(), "model.");
    }
    if (want == null) {
      return Verdict.wrong("loaded, but the oracle reads no model: " + invalid);
    }
    ModelConfig c = got.model().config();
    FeatureSpec f = c.features();
    boolean same = f.level().name().equalsIgnoreCase(want.level()) && f.idKeys().equals(want.idKeys())
        && f.labelsKey().equals(want.labelsKey()) && f.numClasses() == want.numClasses()
        && f.maxFrames() == want.maxFrames()
        && f.features().stream().map(FeatureField::name).toList().equals(want.featureNames())
        && f.features().stream().map(FeatureField::size).toList().equals(want.featureSizes())
        && Arrays.equals(got.model().allocation().expertsPerClass(), want.experts())
        && got.classNames().equals(want.classNames());
    if (c.trunk() instanceof TrunkConfig.VideoMlp mlp) {
      same &= want.trunkType().equals("video_mlp") && mlp.hidden().equals(want.hidden())
          && mlp.contextGating() == want.contextGating();
    } else {
      return Verdict.wrong("loaded a DBoF model, which the oracle cannot check");
    }
    if (!same) {
      return Verdict.wrong("loaded " + c + " " + Arrays.toString(got.model().allocation().expertsPerClass()) + " "
          + got.classNames() + ", the oracle reads " + want);
    }
    // every tensor, by name
    Map<String, float[]> tensorsByName = new java.util.HashMap<>();
    for (TensorRef t : got.model().trunk().layout().tensors()) {
      tensorsByName.put(t.name(), Arrays.copyOfRange(got.model().trunkParams(), t.offset(), t.offset() + t.size()));
    }
    for (TensorRef t : got.model().headLayout().tensors()) {
      tensorsByName.put(t.name(), Arrays.copyOfRange(got.model().headParams(), t.offset(), t.offset() + t.size()));
    }
    if (!tensorsByName.keySet().equals(want.tensors().keySet())) {
      return Verdict.wrong("tensors " + tensorsByName.keySet() + ", the oracle " + want.tensors().keySet());
    }
    for (String name : tensorsByName.keySet()) {
      float[] a = tensorsByName.get(name);
      float[] b = want.tensors().get(name);
      for (int i = 0; i < Math.max(a.length, b.length); i++) {
        if (i >= a.length || i >= b.length || Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
          return Verdict.wrong("tensor " + name + "[" + i + "] differs from the oracle's reading");
        }
      }
    }
    // and the scores of sample videos
    VideoBatch batch = new VideoBatch(FeatureSpec.Level.VIDEO, 7);
    for (int i = 0; i < INPUTS.length; i++) {
      batch.append(new VideoRecord("v" + i, new int[0], 1, INPUTS[i]), null);
    }
    float[] probs = new float[batch.rows * want.numClasses()];
    got.model().newScorer().score(batch, probs);
    double[] expected = ModelOracle.scores(want, batch.features, batch.rows);
    for (int i = 0; i < probs.length; i++) {
      if (!(Math.abs(probs[i] - expected[i]) <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
        return Verdict.wrong("score " + i + " is " + probs[i] + ", the oracle's " + expected[i]);
      }
    }
    return Verdict.accepted();
  }

  @Test
  void damagedModelFilesLoadAsTheirBytesSayOrAreRefusedByName() throws IOException {
    ProbeTally tally = new ProbeTally("model directories", Duration.ofSeconds(20));
    SplittableRandom r = new SplittableRandom(ProbeTally.SEED + 3);
    List<Files2> bases = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      bases.add(base(r, i));
    }
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    for (int c = 0; c < CASES; c++) {
      Files2 b = bases.get(r.nextInt(bases.size()));
      byte[] json = b.json();
      byte[] tensors = b.tensors();
      StringBuilder what = new StringBuilder("case " + c + ": ");
      int kind = r.nextInt(20);
      if (kind < 8) {
        json = mutateJson(json, r, what);
      } else if (kind < 18) {
        tensors = mutateTensors(tensors, r, what);
      } else if (kind == 18) {
        what.append("sound");
      } else {
        boolean first = r.nextBoolean();
        what.append(first ? "model.json" : "model.safetensors").append(" removed");
        json = first ? null : json;
        tensors = first ? tensors : null;
      }
      if (kind < 8 && r.nextInt(3) == 0) {
        // both files changed
        what.append("; ");
        tensors = mutateTensors(tensors, r, what);
      }
      write(model.resolve(ModelFiles.CONFIG), json);
      write(model.resolve(ModelFiles.TENSORS), tensors);
      byte[] j = json;
      byte[] t = tensors;
      tally.run(what.toString(), () -> check(model, j, t));
    }
    tally.assertClean();
    assertTrue(tally.count(ProbeTally.Outcome.ACCEPTED) > CASES / 10
        && tally.count(ProbeTally.Outcome.NAMED_ERROR) > CASES / 2, tally::row);
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    if (bytes == null) {
      Files.deleteIfExists(file);
    } else {
      Files.write(file, bytes);
    }
  }
}
