package org.vidar.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;
import org.vidar.data.Excerpt;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.param.ParameterLayout;
import org.vidar.model.param.TensorRef;

/**
 * A model on disk: a directory holding {@code model.json} (format version, feature spec, trunk
 * architecture, experts per class, class names, training provenance as a JSON object) and
 * {@code model.safetensors} (every tensor of trunk and heads, readable by numpy and PyTorch).
 * Loading checks every field and every tensor's shape against the architecture the JSON describes
 * and refuses anything else with a message naming the file and what is wrong.
 */
public final class ModelFiles {
  /**
   * The format written. Version 2 dropped version 1's {@code heads} object (how experts were
   * allocated is training provenance; the heads' shape is {@code expertsPerClass}) and the DBoF
   * trunk's {@code sampleFrames} (a training setting), and holds provenance as structured JSON
   * instead of strings. Loading reads both: version 1's dropped fields are ignored and its string
   * provenance is kept as a JSON object of strings.
   */
  public static final int VERSION = 2;

  /** The oldest format this build reads. */
  public static final int OLDEST_VERSION = 1;
  public static final String CONFIG = "model.json";
  public static final String TENSORS = "model.safetensors";
  /** The files of a model directory, each written under a temporary name first ({@link DataPaths#createAtomic}). */
  public static final Pattern FILES = Pattern.compile(
      Pattern.quote(CONFIG) + "|" + Pattern.quote(TENSORS));
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ModelFiles() {}

  /**
   * A loaded model with its class names (empty when none were saved) and provenance (a JSON object,
   * empty when none was saved; its fields are the trainer's to define).
   */
  public record Saved(VideoModel model, List<String> classNames, ObjectNode provenance) {}

  /** An empty provenance object. */
  public static ObjectNode noProvenance() {
    return JSON.createObjectNode();
  }

  /** Writes the model into {@code dir} (local path or Hadoop URI), each file atomically. */
  public static void save(String dir, VideoModel model, List<String> classNames, JsonNode provenance)
      throws IOException {
    if (provenance == null || !provenance.isObject()) {
      throw new IllegalArgumentException("provenance must be a JSON object");
    }
    ModelConfig c = model.config();
    if (!classNames.isEmpty() && classNames.size() != c.numClasses()) {
      throw new IllegalArgumentException(classNames.size() + " class names for a model of " + c.numClasses()
          + " classes");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("format", "vidar-model");
    root.put("version", VERSION);
    root.set("features", features(c.features()));
    root.set("trunk", trunk(c.trunk()));
    ArrayNode experts = root.putArray("expertsPerClass");
    for (int e : model.allocation().expertsPerClass()) {
      experts.add(e);
    }
    ArrayNode names = root.putArray("classNames");
    classNames.forEach(names::add);
    root.set("provenance", provenance.deepCopy());
    Combined all = combine(model);
    try (AtomicOutput out = DataPaths.createAtomic(DataPaths.join(dir, TENSORS))) {
      ParameterFile.write(out.stream(), all.layout, all.values, Map.of("format", "vidar-model"), Dtype.F32);
      out.commit();
    }
    try (AtomicOutput out = DataPaths.createAtomic(DataPaths.join(dir, CONFIG))) {
      out.stream().write(JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
      out.commit();
    }
  }

  /** Reads and validates a model directory. */
  public static Saved load(String dir) throws IOException {
    String configFile = DataPaths.join(dir, CONFIG);
    JsonNode root;
    try (InputStream in = DataPaths.open(configFile)) {
      root = JSON.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .readTree(in);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(configFile + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    Fields f = new Fields(configFile, root);
    if (!"vidar-model".equals(f.text(root, "format"))) {
      throw f.error("format", "is not 'vidar-model'");
    }
    int version = f.integer(root, "version");
    if (version < OLDEST_VERSION || version > VERSION) {
      throw f.error("version", version + " is not supported (this build reads versions " + OLDEST_VERSION + " to "
          + VERSION + ")");
    }
    // Errors about a label outside the model's classes name the model.
    FeatureSpec spec = f.features(f.object(root, "features")).withClassesFrom("of the model " + configFile);
    TrunkConfig trunk = f.trunk(f.object(root, "trunk"));
    ModelConfig config = f.build("model", () -> new ModelConfig(spec, trunk));
    int[] experts = f.intArray(root, "expertsPerClass");
    if (experts.length != config.numClasses()) {
      throw f.error("expertsPerClass", "has " + experts.length + " entries for " + config.numClasses() + " classes");
    }
    for (int k = 0; k < experts.length; k++) {
      if (experts[k] > MAX_EXPERTS_PER_CLASS) {
        throw f.error("expertsPerClass", "gives class " + k + " " + experts[k] + " experts, more than the "
            + MAX_EXPERTS_PER_CLASS + " any model may have");
      }
    }
    ExpertAllocation allocation = f.build("expertsPerClass", () -> ExpertAllocation.of(experts));
    List<String> names = new ArrayList<>();
    if (root.has("classNames")) {
      JsonNode list = f.array(root, "classNames");
      for (int i = 0; i < list.size(); i++) {
        // not asText(): it would take null, a number or an object for a name ("null", "1", "")
        if (!list.get(i).isTextual()) {
          throw f.error("classNames", "entry " + i + " is " + Excerpt.of(list.get(i).toString()) + ", not a string");
        }
        names.add(list.get(i).asText());
      }
      if (!names.isEmpty() && names.size() != config.numClasses()) {
        throw f.error("classNames", "has " + names.size() + " names for " + config.numClasses() + " classes");
      }
    }
    ObjectNode prov = root.has("provenance") ? (ObjectNode) f.object(root, "provenance").deepCopy()
        : JSON.createObjectNode();
    String tensorFile = DataPaths.join(dir, TENSORS);
    // Laying out a trunk too wide for an array fails here, named, before anything is allocated.
    long parameters = f.build("trunk", () -> parameterCount(config, allocation));
    long bytes = DataPaths.resolve(List.of(tensorFile)).get(0).length();
    if (parameters > Integer.MAX_VALUE - 8 || parameters * 2 > bytes) {
      // Checked before anything that size is allocated; the smallest dtype takes 2 bytes a value.
      throw f.error("expertsPerClass", "and the trunk make " + parameters + " parameters, which " + tensorFile
          + " (" + bytes + " bytes) cannot hold");
    }
    VideoModel shape = VideoModel.zeros(config, allocation);
    Combined expected = combine(shape);
    ParameterFile.Loaded loaded;
    try (InputStream in = DataPaths.open(tensorFile)) {
      loaded = ParameterFile.load(in, tensorFile, bytes, expected.layout);
    }
    requireFinite(loaded.values(), expected.layout, tensorFile);
    int trunkSize = shape.trunkParams().length;
    float[] tp = Arrays.copyOfRange(loaded.values(), 0, trunkSize);
    float[] hp = Arrays.copyOfRange(loaded.values(), trunkSize, loaded.values().length);
    return new Saved(new VideoModel(config, tp, allocation, hp), List.copyOf(names), prov);
  }

  /** The most experts one class may have in a model file: far above any useful model, far below what exhausts memory. */
  static final int MAX_EXPERTS_PER_CLASS = 4096;

  /** Trunk and head parameters of a model of this shape, counted without allocating them. */
  private static long parameterCount(ModelConfig config, ExpertAllocation allocation) {
    org.vidar.model.Trunk trunk = org.vidar.model.Trunk.of(config.trunk(), config.inputDim());
    long h = trunk.outputDim();
    // Expert and gate weights and biases.
    return trunk.layout().size() + ((long) allocation.totalExperts() + allocation.totalGates()) * (h + 1);
  }

  /** Refuses a NaN or infinite parameter, naming the tensor and the index within it. */
  private static void requireFinite(float[] values, ParameterLayout layout, String file) throws IOException {
    for (TensorRef t : layout.tensors()) {
      for (int i = 0; i < t.size(); i++) {
        float v = values[t.offset() + i];
        if (!Float.isFinite(v)) {
          throw new IOException(file + ": tensor " + Excerpt.of(t.name()) + " holds " + v + " at index " + i
              + "; a model's parameters must be finite");
        }
      }
    }
  }

  private record Combined(ParameterLayout layout, float[] values) {}

  /** Trunk and head tensors in one layout (trunk first), their values concatenated. */
  private static Combined combine(VideoModel model) {
    ParameterLayout.Builder b = ParameterLayout.builder();
    for (TensorRef t : model.trunk().layout().tensors()) {
      b.add(t.name(), t.shape());
    }
    for (TensorRef t : model.headLayout().tensors()) {
      b.add(t.name(), t.shape());
    }
    float[] tp = model.trunkParams();
    float[] hp = model.headParams();
    float[] all = Arrays.copyOf(tp, tp.length + hp.length);
    System.arraycopy(hp, 0, all, tp.length, hp.length);
    return new Combined(b.build(), all);
  }

  private static ObjectNode features(FeatureSpec s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("level", s.level().name().toLowerCase(java.util.Locale.ROOT));
    ArrayNode ids = n.putArray("idKeys");
    s.idKeys().forEach(ids::add);
    n.put("labelsKey", s.labelsKey());
    ArrayNode fs = n.putArray("features");
    for (FeatureField f : s.features()) {
      fs.addObject().put("name", f.name()).put("size", f.size());
    }
    n.put("numClasses", s.numClasses());
    n.put("maxFrames", s.maxFrames());
    return n;
  }

  private static ObjectNode trunk(TrunkConfig t) {
    ObjectNode n = JSON.createObjectNode();
    if (t instanceof TrunkConfig.VideoMlp m) {
      n.put("type", "video_mlp");
      ArrayNode h = n.putArray("hidden");
      m.hidden().forEach(h::add);
      n.put("contextGating", m.contextGating());
    } else {
      TrunkConfig.Dbof d = (TrunkConfig.Dbof) t;
      n.put("type", "dbof");
      n.put("frameHidden", d.frameHidden());
      n.put("frameContextGating", d.frameContextGating());
      n.put("pooling", d.pooling().name().toLowerCase(java.util.Locale.ROOT));
      n.put("videoHidden", d.videoHidden());
      n.put("batchNorm", d.batchNorm());
    }
    return n;
  }

  /** Typed, checked access to the JSON of one file: every error names the file and the field. */
  private static final class Fields {
    private final String file;

    Fields(String file, JsonNode root) throws IOException {
      this.file = file;
      if (!root.isObject()) {
        throw new IOException(file + ": the top level is not a JSON object");
      }
    }

    IOException error(String field, String what) {
      return new IOException(file + ": field " + Excerpt.of(field) + " " + what);
    }

    private JsonNode get(JsonNode n, String field) throws IOException {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        throw error(field, "is missing");
      }
      return v;
    }

    JsonNode object(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isObject()) {
        throw error(field, "is not an object");
      }
      return v;
    }

    JsonNode array(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isArray()) {
        throw error(field, "is not an array");
      }
      return v;
    }

    String text(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isTextual()) {
        throw error(field, "is not a string");
      }
      return v.asText();
    }

    int integer(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw error(field, "is not an integer");
      }
      return v.asInt();
    }

    double number(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isNumber()) {
        throw error(field, "is not a number");
      }
      return v.asDouble();
    }

    boolean bool(JsonNode n, String field) throws IOException {
      JsonNode v = get(n, field);
      if (!v.isBoolean()) {
        throw error(field, "is not true or false");
      }
      return v.asBoolean();
    }

    int[] intArray(JsonNode n, String field) throws IOException {
      JsonNode a = array(n, field);
      int[] out = new int[a.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode v = a.get(i);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
          throw error(field, "entry " + i + " is not an integer");
        }
        out[i] = v.asInt();
      }
      return out;
    }

    interface Builder<T> {
      T build();
    }

    /** Runs a record's validation, turning its message into one that names the file. */
    <T> T build(String field, Builder<T> b) throws IOException {
      try {
        return b.build();
      } catch (IllegalArgumentException e) {
        throw error(field, "is invalid: " + e.getMessage());
      }
    }

    FeatureSpec features(JsonNode n) throws IOException {
      String level = text(n, "level");
      FeatureSpec.Level lvl = switch (level) {
        case "video" -> FeatureSpec.Level.VIDEO;
        case "frame" -> FeatureSpec.Level.FRAME;
        default -> throw error("features.level", Excerpt.of(level) + " is not video or frame");
      };
      List<String> ids = new ArrayList<>();
      for (JsonNode id : array(n, "idKeys")) {
        if (!id.isTextual() || id.asText().isEmpty()) {
          throw error("features.idKeys", "holds " + Excerpt.of(id.toString()) + ": every id key must be a non-empty string");
        }
        ids.add(id.asText());
      }
      List<FeatureField> fields = new ArrayList<>();
      for (JsonNode ff : array(n, "features")) {
        String name = text(ff, "name");
        int size = integer(ff, "size");
        fields.add(build("features.features", () -> new FeatureField(name, size)));
      }
      String labels = text(n, "labelsKey");
      int classes = integer(n, "numClasses");
      int maxFrames = integer(n, "maxFrames");
      return build("features", () -> new FeatureSpec(lvl, ids, labels, fields, classes, maxFrames));
    }

    TrunkConfig trunk(JsonNode n) throws IOException {
      String type = text(n, "type");
      if (type.equals("video_mlp")) {
        int[] hidden = intArray(n, "hidden");
        boolean cg = bool(n, "contextGating");
        return build("trunk", () -> new TrunkConfig.VideoMlp(Arrays.stream(hidden).boxed().toList(), cg));
      }
      if (type.equals("dbof")) {
        int fh = integer(n, "frameHidden");
        boolean fcg = bool(n, "frameContextGating");
        String pooling = text(n, "pooling");
        TrunkConfig.Pooling p;
        try {
          p = TrunkConfig.Pooling.valueOf(pooling.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw error("trunk.pooling", Excerpt.of(pooling) + " is not swap, mean or max");
        }
        int vh = integer(n, "videoHidden");
        boolean bn = bool(n, "batchNorm");
        return build("trunk", () -> new TrunkConfig.Dbof(fh, fcg, p, vh, bn));
      }
      throw error("trunk.type", Excerpt.of(type) + " is not video_mlp or dbof");
    }
  }
}
