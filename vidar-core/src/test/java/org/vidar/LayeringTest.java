package org.vidar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of the code base, checked on the sources of every module: each package refers (by
 * import or by a qualified name) only to the packages below it, so no package cycle can form. A
 * new package must be placed here before it can be used.
 */
class LayeringTest {
  /** Each package of the main sources and the packages it may refer to, lowest first. */
  static final Map<String, Set<String>> ALLOWED = allowed();

  private static Map<String, Set<String>> allowed() {
    Map<String, Set<String>> m = new TreeMap<>();
    m.put("data", Set.of());
    m.put("data.batch", Set.of("data"));
    m.put("math", Set.of());
    m.put("optim", Set.of());
    m.put("eval", Set.of("data"));
    m.put("model.param", Set.of());
    m.put("model.layer", Set.of("math", "model.param"));
    m.put("model.moe", Set.of("math", "model.param"));
    m.put("model", Set.of("data", "data.batch", "math", "model.param", "model.layer", "model.moe"));
    m.put("model.io", Set.of("data", "model", "model.param", "model.moe"));
    m.put("synth", Set.of("data", "eval"));
    Set<String> modelAndBelow = Set.of("data", "data.batch", "math", "eval", "model.param", "model.layer", "model.moe",
        "model", "model.io");
    // Inference stands on the model alone; training scores its held-out videos with it.
    m.put("inference", modelAndBelow);
    m.put("train.embedding", modelAndBelow);
    m.put("train", union(modelAndBelow, Set.of("optim", "inference", "train.embedding")));
    Set<String> core = union(modelAndBelow, Set.of("optim", "synth", "inference", "train.embedding", "train"));
    m.put("spark", core);
    // The Spark ML Pipeline stages train on the Spark engine and score with its broadcast model.
    m.put("spark.ml", union(core, Set.of("spark")));
    // The training report: HTML and SVG from model directories, no Spark.
    m.put("report", core);
    m.put("cli", union(core, Set.of("spark", "report")));
    m.put("bench", union(core, Set.of("spark", "cli", "report")));
    // The TensorFlow peer runs in a JVM of its own (protobuf 3 beside Vidar's 4): it uses no Vidar code.
    m.put("tfpeer", Set.of());
    return m;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> s = new TreeSet<>(a);
    s.addAll(b);
    return s;
  }

  private static final Pattern PACKAGE = Pattern.compile("^package org\\.vidar\\.([a-z.]+);", Pattern.MULTILINE);
  private static final Pattern REFERENCE = Pattern.compile("\\borg\\.vidar\\.([a-z][a-z0-9.]*?)\\.[A-Z]");

  /** The repository root: the parent of this module's directory. */
  static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("vidar-core")) ? here : here.getParent();
  }

  static List<Path> mainSources() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root())) {
      for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("vidar-")).toList()) {
        Path src = module.resolve("src/main/java/org/vidar");
        if (Files.isDirectory(src)) {
          try (Stream<Path> files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(out::add);
          }
        }
      }
    }
    return out;
  }

  /** The org.vidar packages a source file refers to, comments included (a {@code @link} is a use too). */
  static Set<String> references(String source) {
    Set<String> out = new TreeSet<>();
    Matcher m = REFERENCE.matcher(source);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void everyPackageRefersOnlyToThePackagesBelowIt() throws IOException {
    List<Path> sources = mainSources();
    assertTrue(sources.size() > 100, "found the sources of every module: " + sources.size());
    List<String> violations = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (Path file : sources) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Matcher p = PACKAGE.matcher(text);
      assertTrue(p.find(), "package line in " + file);
      String pkg = p.group(1);
      seen.add(pkg);
      Set<String> allowed = ALLOWED.get(pkg);
      if (allowed == null) {
        violations.add(file + ": package org.vidar." + pkg + " has no place in the layers");
        continue;
      }
      for (String ref : references(text)) {
        if (!ref.equals(pkg) && !allowed.contains(ref)) {
          violations.add(file.getFileName() + " (org.vidar." + pkg + ") refers to org.vidar." + ref);
        }
      }
    }
    assertEquals(List.of(), violations);
    assertEquals(ALLOWED.keySet(), seen, "every package in the table exists");
  }

  /** The check itself: a reference upwards is caught, in an import and in a qualified name. */
  @Test
  void referencesAreFoundInImportsAndQualifiedNames() {
    assertEquals(Set.of("train", "model.moe"), references("import org.vidar.train.VideoBatch;\n"
        + "class X { org.vidar.model.moe.MoeHeads h; String s = \"org.vidar\"; }"));
    assertTrue(!ALLOWED.get("model").contains("train"));
    assertTrue(!ALLOWED.get("data").contains("eval"));
    assertTrue(!ALLOWED.get("inference").contains("train"));
  }
}
