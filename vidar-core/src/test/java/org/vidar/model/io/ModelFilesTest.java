package org.vidar.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;

class ModelFilesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectNode PROVENANCE = provenance();

  static ObjectNode provenance() {
    ObjectNode p = JSON.createObjectNode();
    p.put("seed", 42);
    p.put("trainer", "vidar train --rounds 1");
    p.putObject("environment").put("kernels", "java").put("cores", 2);
    p.putArray("files").add("a.tfrecord").add("b.tfrecord");
    return p;
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static FeatureSpec spec(FeatureSpec.Level level) {
    return new FeatureSpec(level, List.of("id", "video_id"), "labels",
        List.of(new FeatureField("rgb", 5), new FeatureField("audio", 2)), 3, 120);
  }

  static VideoModel videoModel(ExpertAllocation a) {
    ModelConfig mc = new ModelConfig(spec(FeatureSpec.Level.VIDEO), new TrunkConfig.VideoMlp(List.of(6, 4), true));
    return VideoModel.initialize(mc, a, new SplittableRandom(1));
  }

  static VideoModel dbofModel() {
    ModelConfig mc = new ModelConfig(spec(FeatureSpec.Level.FRAME),
        new TrunkConfig.Dbof(4, true, TrunkConfig.Pooling.SWAP, 5, true));
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(3, 2), new SplittableRandom(2));
    // running statistics away from their initial values, so the round trip covers them
    float[] tp = m.trunkParams().clone();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < tp.length; i++) {
      tp[i] += (float) r.nextDouble(0, 0.1);
    }
    return m.withTrunkParams(tp);
  }

  static void assertSame(VideoModel want, ModelFiles.Saved got) {
    assertEquals(want.config(), got.model().config());
    assertEquals(want.allocation(), got.model().allocation());
    assertArrayEquals(want.trunkParams(), got.model().trunkParams());
    assertArrayEquals(want.headParams(), got.model().headParams());
  }

  @Test
  void videoModelRoundTrip(@TempDir Path dir) throws IOException {
    VideoModel m = videoModel(ExpertAllocation.of(1, 2, 3));
    List<String> names = List.of("Game", "Vehicle", "Concert");
    ModelFiles.save(dir.toString(), m, names, PROVENANCE);
    assertTrue(Files.exists(dir.resolve(ModelFiles.CONFIG)));
    assertTrue(Files.exists(dir.resolve(ModelFiles.TENSORS)));
    ModelFiles.Saved s = ModelFiles.load(dir.toString());
    assertSame(m, s);
    assertEquals(names, s.classNames());
    assertEquals(PROVENANCE, s.provenance());
    assertEquals(fieldNames(PROVENANCE), fieldNames(s.provenance()), "order kept");
  }

  @Test
  void dbofModelRoundTripWithoutClassNames(@TempDir Path dir) throws IOException {
    VideoModel m = dbofModel();
    ModelFiles.save(dir.toString(), m, List.of(), ModelFiles.noProvenance());
    ModelFiles.Saved s = ModelFiles.load(dir.toString());
    assertSame(m, s);
    assertEquals(List.of(), s.classNames());
    assertEquals(ModelFiles.noProvenance(), s.provenance());
  }

  @Test
  void savingTwiceOverwrites(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), videoModel(ExpertAllocation.of(1, 1, 1)), List.of(), PROVENANCE);
    VideoModel m = dbofModel();
    ModelFiles.save(dir.toString(), m, List.of(), PROVENANCE);
    assertSame(m, ModelFiles.load(dir.toString()));
  }

  // ---------------------------------------------------------------- load errors

  /** Saves a good model, edits its JSON, and returns the load error's message. */
  static String loadError(Path dir, Consumer<ObjectNode> edit) throws IOException {
    ModelFiles.save(dir.toString(), videoModel(ExpertAllocation.of(1, 2, 3)), List.of("a", "b", "c"), PROVENANCE);
    Path config = dir.resolve(ModelFiles.CONFIG);
    ObjectNode root = (ObjectNode) JSON.readTree(config.toFile());
    edit.accept(root);
    Files.writeString(config, JSON.writeValueAsString(root));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    String msg = e.getMessage();
    assertTrue(msg.contains(ModelFiles.CONFIG), "names the file: " + msg);
    return msg;
  }

  static void assertMentions(String msg, String... parts) {
    for (String p : parts) {
      assertTrue(msg.contains(p), "'" + p + "' in: " + msg);
    }
  }

  @Test
  void missingConfigFile(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of(), PROVENANCE);
    Files.delete(dir.resolve(ModelFiles.CONFIG));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.CONFIG);
  }

  @Test
  void missingTensorsFile(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of(), PROVENANCE);
    Files.delete(dir.resolve(ModelFiles.TENSORS));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS);
  }

  @Test
  void invalidJson(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of(), PROVENANCE);
    Files.writeString(dir.resolve(ModelFiles.CONFIG), "{\"format\": \"vidar-model\", \"version\": ");
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.CONFIG, "JSON");
  }

  @Test
  void topLevelNotAnObject(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of(), PROVENANCE);
    Files.writeString(dir.resolve(ModelFiles.CONFIG), "[1, 2]");
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.CONFIG, "object");
  }

  @Test
  void wrongFormat(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> r.put("format", "keras")), "'format'");
  }

  @Test
  void wrongVersion(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> r.put("version", ModelFiles.VERSION + 1)), "'version'",
        Integer.toString(ModelFiles.VERSION + 1), "reads versions 1 to " + ModelFiles.VERSION);
    assertMentions(loadError(dir, r -> r.put("version", 0)), "'version'", "0");
  }

  /**
   * A version 1 file, as the previous build wrote it (a {@code heads} object, the DBoF trunk's
   * {@code sampleFrames}, string provenance, the same tensors), loads as the same model.
   */
  @Test
  void versionOneFilesStillLoad(@TempDir Path dir) throws IOException {
    VideoModel m = dbofModel();
    ModelFiles.save(dir.toString(), m, List.of("x", "y", "z"), ModelFiles.noProvenance());
    Path config = dir.resolve(ModelFiles.CONFIG);
    ObjectNode root = (ObjectNode) JSON.readTree(config.toFile());
    root.put("version", 1);
    ((ObjectNode) root.get("trunk")).put("sampleFrames", 32);
    root.putObject("heads").put("adaptive", false).put("maxExperts", 2).put("positivesPerExpert", 1).put("l2", 1e-5);
    root.putObject("provenance").put("seed", "42").put("trainConfig", "TrainConfig[seed=42, rounds=1]");
    Files.writeString(config, JSON.writeValueAsString(root));
    ModelFiles.Saved s = ModelFiles.load(dir.toString());
    assertSame(m, s);
    assertEquals(List.of("x", "y", "z"), s.classNames());
    assertEquals("42", s.provenance().get("seed").asText());
    assertEquals(List.of("seed", "trainConfig"), fieldNames(s.provenance()));
  }

  @Test
  void missingFields(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> r.remove("version")), "'version'", "missing");
    assertMentions(loadError(dir, r -> r.remove("trunk")), "'trunk'", "missing");
    assertMentions(loadError(dir, r -> ((ObjectNode) r.get("trunk")).remove("hidden")), "'hidden'", "missing");
    assertMentions(loadError(dir, r -> ((ObjectNode) r.get("trunk")).remove("contextGating")), "'contextGating'",
        "missing");
    assertMentions(loadError(dir, r -> ((ObjectNode) r.get("features")).remove("numClasses")), "'numClasses'",
        "missing");
    assertMentions(loadError(dir, r -> r.remove("expertsPerClass")), "'expertsPerClass'", "missing");
  }

  @Test
  void wrongTypes(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> r.put("version", "1")), "'version'", "integer");
    assertMentions(loadError(dir, r -> r.put("format", 7)), "'format'", "string");
    assertMentions(loadError(dir, r -> ((ObjectNode) r.get("trunk")).put("contextGating", "yes")), "'contextGating'");
    assertMentions(loadError(dir, r -> r.put("provenance", 3)), "'provenance'", "object");
    assertMentions(loadError(dir, r -> r.put("features", 3)), "'features'", "object");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("expertsPerClass")).set(1, 2.5)), "'expertsPerClass'",
        "entry 1");
    assertMentions(loadError(dir, r -> ((ObjectNode) r.get("trunk")).put("type", "transformer")), "trunk.type");
  }

  @Test
  void invalidValues(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("trunk").get("hidden")).set(0, 0)), "'trunk'",
        "hidden widths must be positive");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("expertsPerClass")).set(0, 0)), "'expertsPerClass'");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("classNames")).remove(0)), "'classNames'");
  }

  @Test
  void expertsPerClassLengthMismatch(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("expertsPerClass")).add(1)), "'expertsPerClass'",
        "4 entries", "3 classes");
  }

  @Test
  void tensorsOfAnotherModel(@TempDir Path dir, @TempDir Path other) throws IOException {
    ModelFiles.save(dir.toString(), videoModel(ExpertAllocation.of(1, 2, 3)), List.of(), PROVENANCE);
    ModelFiles.save(other.toString(), videoModel(ExpertAllocation.of(2, 2, 3)), List.of(), PROVENANCE);
    Files.copy(other.resolve(ModelFiles.TENSORS), dir.resolve(ModelFiles.TENSORS),
        StandardCopyOption.REPLACE_EXISTING);
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS, "heads.expert.w", "[4, 7]", "[4, 6]");
  }

  @Test
  void truncatedTensorsFile(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of(), PROVENANCE);
    Path t = dir.resolve(ModelFiles.TENSORS);
    byte[] b = Files.readAllBytes(t);
    Files.write(t, java.util.Arrays.copyOf(b, b.length - 5));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS);
  }

  @Test
  void saveRefusesClassNamesOfTheWrongLength(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class,
        () -> ModelFiles.save(dir.toString(), dbofModel(), List.of("x", "y"), PROVENANCE));
  }

  /** A model.json edited by hand to hold too few class names is refused on load. */
  @Test
  void classNamesOfTheWrongLengthAreRefusedOnLoad(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of("x", "y", "z"), PROVENANCE);
    Path json = dir.resolve(ModelFiles.CONFIG);
    String text = java.nio.file.Files.readString(json);
    java.nio.file.Files.writeString(json, text.replaceAll("\"z\"\\s*", "").replaceAll(",\\s*]", "]"));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.CONFIG, "'classNames'", "2 names", "3 classes");
  }

  @Test
  void jsonIsReadable(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), dbofModel(), List.of("x", "y", "z"), PROVENANCE);
    String text = Files.readString(dir.resolve(ModelFiles.CONFIG), StandardCharsets.UTF_8);
    var root = JSON.readTree(text);
    assertEquals("vidar-model", root.get("format").asText());
    assertEquals(ModelFiles.VERSION, root.get("version").asInt());
    assertEquals("dbof", root.get("trunk").get("type").asText());
    assertEquals("swap", root.get("trunk").get("pooling").asText());
    assertEquals("frame", root.get("features").get("level").asText());
  }

  /** A NaN or infinite parameter is refused on load, naming the file, the tensor and the index. */
  @Test
  void nonFiniteParametersAreRefused(@TempDir Path dir) throws IOException {
    VideoModel m = videoModel(ExpertAllocation.of(1, 2, 3));
    float[] tp = m.trunkParams().clone();
    tp[1] = Float.NaN;
    ModelFiles.save(dir.toString(), m.withTrunkParams(tp), List.of(), PROVENANCE);
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS, "NaN", "index 1");
    float[] hp = m.headParams().clone();
    hp[hp.length - 1] = Float.POSITIVE_INFINITY; // the last gate bias
    ModelFiles.save(dir.toString(), m.withHeads(m.allocation(), hp), List.of(), PROVENANCE);
    e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS, "Infinity", "gate");
  }

  /** Bytes after the tensors' data, or after model.json's object, are refused. */
  @Test
  void trailingBytesAreRefused(@TempDir Path dir) throws IOException {
    ModelFiles.save(dir.toString(), videoModel(ExpertAllocation.of(1, 2, 3)), List.of(), PROVENANCE);
    Path t = dir.resolve(ModelFiles.TENSORS);
    byte[] tensors = Files.readAllBytes(t);
    Files.write(t, java.util.Arrays.copyOf(tensors, tensors.length + 16));
    IOException e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.TENSORS, "16 bytes after the end of the last tensor's data");
    Files.write(t, tensors);
    Path c = dir.resolve(ModelFiles.CONFIG);
    Files.writeString(c, Files.readString(c) + " {\"junk\": 1}");
    e = assertThrows(IOException.class, () -> ModelFiles.load(dir.toString()));
    assertMentions(e.getMessage(), ModelFiles.CONFIG, "not valid JSON");
  }

  /**
   * An expert count no file could hold is refused before anything that size is allocated: above
   * the cap by name, below it by the tensor file's size.
   */
  @Test
  void absurdExpertCountsAreRefusedBeforeAllocating(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("expertsPerClass")).set(0, 10_000_000)),
        "'expertsPerClass'", "10000000", "" + ModelFiles.MAX_EXPERTS_PER_CLASS);
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("expertsPerClass")).set(0, 4000)),
        "'expertsPerClass'", "cannot hold");
  }

  /** An id key that is not a non-empty string is refused, naming the field, not blamed later on the data. */
  @Test
  void idKeysMustBeNonEmptyStrings(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("features").get("idKeys")).setNull(0)),
        "'features.idKeys'", "null");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("features").get("idKeys")).set(0, "")),
        "'features.idKeys'");
  }

  /**
   * A class name that is not a string is refused, naming the field and the entry: null, a number or
   * an object were once taken as the names "null", "1" and "" (found by the model probe).
   */
  @Test
  void classNamesMustBeStrings(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("classNames")).setNull(1)),
        "'classNames'", "entry 1 is 'null', not a string");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("classNames")).set(0, 7)), "'classNames'", "entry 0 is '7'");
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("classNames")).set(2, JSON.createObjectNode())),
        "'classNames'", "entry 2");
  }

  /**
   * A hidden layer too wide for one array is refused naming the trunk field: it once escaped as a bare
   * IllegalArgumentException from the parameter layout, naming no file (found by the model probe).
   */
  @Test
  void aTrunkTooWideForAnArrayIsRefusedByName(@TempDir Path dir) throws IOException {
    assertMentions(loadError(dir, r -> ((ArrayNode) r.get("trunk").get("hidden")).set(1, 10_000_000)),
        "'trunk'", "more than one array holds");
  }
}
