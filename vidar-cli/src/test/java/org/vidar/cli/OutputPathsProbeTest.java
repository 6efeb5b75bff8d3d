package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.ProbeTally;
import org.vidar.ProbeTally.Verdict;
import org.vidar.cli.CommandsTest.Run;

/**
 * The probe of output paths (issue 12): every command that writes (predict's CSV and Parquet,
 * eval's per-class CSV, synth's dataset, train's model) run in this process against a workspace of
 * data, a model, symbolic and hard links, a file where a folder would be and unrelated files, with
 * its output spelled as an input file (plainly, with {@code ./} and {@code ..}, as a {@code file:}
 * URI, through a link), a folder holding inputs, a place inside an input folder (also through a
 * linked folder), a model or vocabulary file it reads, a directory, a place below a file, an
 * unrelated file or a new place. Before and after each run every file of the workspace is compared
 * byte for byte: a run may change only the place it was told to write, and only when it succeeds
 * (data lost otherwise); a place the README says it must refuse (an input, a folder holding one, a
 * place inside an input folder, a directory for a file, a place below a file) must be refused with
 * exit 1 or 2 and a message naming the option and the place, before any work; the others must be
 * written. The workspace is put back after each case.
 */
class OutputPathsProbeTest {
  @TempDir
  static Path tmp;

  private Path root;
  private Path data;
  private Path model;
  private Path other;

  /** What a path held before a case: a directory, a file's bytes or a link's target. */
  private record Entry(boolean dir, byte[] bytes, Path link) {
    boolean same(Entry e) {
      return e != null && dir == e.dir && Arrays.equals(bytes, e.bytes) && java.util.Objects.equals(link, e.link);
    }
  }

  private Map<Path, Entry> snapshot() throws IOException {
    Map<Path, Entry> m = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        if (Files.isSymbolicLink(p)) {
          m.put(p, new Entry(false, null, Files.readSymbolicLink(p)));
        } else if (Files.isDirectory(p)) {
          m.put(p, new Entry(true, null, null));
        } else {
          m.put(p, new Entry(false, Files.readAllBytes(p), null));
        }
      }
    }
    return m;
  }

  /** Puts the workspace back as {@code before} holds it: changed paths rewritten, new ones removed. */
  private void restore(Map<Path, Entry> before) throws IOException {
    Map<Path, Entry> now = snapshot();
    List<Path> gone = new ArrayList<>(now.keySet());
    gone.removeAll(before.keySet());
    gone.sort(Comparator.comparing(Path::getNameCount).reversed());
    for (Path p : gone) {
      if (!Files.isSymbolicLink(p) && Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(q);
          }
        }
      } else {
        Files.deleteIfExists(p);
      }
    }
    for (Map.Entry<Path, Entry> e : before.entrySet()) {
      Path p = e.getKey();
      Entry was = e.getValue();
      if (was.same(now.get(p))) {
        continue;
      }
      if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p))) {
        Files.delete(p);
      }
      if (was.dir()) {
        Files.createDirectories(p);
      } else if (was.link() != null) {
        Files.createSymbolicLink(p, was.link());
      } else {
        Files.write(p, was.bytes());
      }
    }
    Path hard = other.resolve("hard.tfrecord");
    if (!Files.isSameFile(hard, validateShard(1))) {
      Files.delete(hard);
      Files.createLink(hard, validateShard(1));
    }
  }

  private Path validateShard(int i) {
    return data.resolve("video").resolve("validate-0000" + i + "-of-00002.tfrecord");
  }

  private void workspace() throws IOException {
    root = Files.createDirectories(tmp.resolve("ws")).toRealPath();
    data = root.resolve("data");
    model = root.resolve("model");
    other = Files.createDirectories(root.resolve("other"));
    Run s = CommandsTest.run("synth", "--out", data.toString(), "-n", "40", "-c", "8", "--shards", "2", "--threads", "1",
        "--level", "video", "--seed", "11");
    assertEquals(ExitCodes.OK, s.code(), s::toString);
    Run t = CommandsTest.run("train", "--engine", "local", "--train", data.resolve("video").resolve("train*").toString(),
        "--classes", "8", "--experts", "1", "--head-epochs", "1", "--out", model.toString());
    assertEquals(ExitCodes.OK, t.code(), t::toString);
    Files.writeString(other.resolve("existing.csv"), "VideoId,LabelConfidencePairs\nold,1 0.5\n");
    Files.writeString(other.resolve("notes.txt"), "notes");
    Files.writeString(other.resolve("blocker"), "a file where a folder would be");
    Files.createDirectories(other.resolve("emptydir"));
    Files.createSymbolicLink(other.resolve("link-input.tfrecord"), validateShard(0));
    Files.createSymbolicLink(other.resolve("linkdir"), data.resolve("video"));
    Files.createSymbolicLink(other.resolve("link-existing.csv"), other.resolve("existing.csv"));
    Files.createLink(other.resolve("hard.tfrecord"), validateShard(1));
    // a copy of a validation file whose second record fails its checksum
    byte[] bytes = Files.readAllBytes(validateShard(1));
    int second = 12 + (int) java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0) + 4;
    bytes[second + 20] ^= 1;
    Files.write(other.resolve("bad.tfrecord"), bytes);
  }

  /** A command with one output place: its arguments with {@code OUT} for the place, its inputs, how it writes. */
  private record Command(String name, List<String> args, String option, boolean folder, List<Path> inputFiles,
      List<Path> inputFolders, Predicate<Path> writes, String failsOn) {
    Command(String name, List<String> args, String option, boolean folder, List<Path> inputFiles,
        List<Path> inputFolders, Predicate<Path> writes) {
      this(name, args, option, folder, inputFiles, inputFolders, writes, null);
    }
  }

  private List<Command> commands() {
    String glob = data.resolve("video").resolve("validate*").toString();
    List<Path> validate = List.of(validateShard(0), validateShard(1));
    List<Path> modelFiles = List.of(model.resolve("model.json"), model.resolve("model.safetensors"));
    List<Path> oracles = List.of(data.resolve("oracle").resolve("validate-00000-of-00002.csv"),
        data.resolve("oracle").resolve("validate-00001-of-00002.csv"));
    List<Path> trainFiles = List.of(data.resolve("video").resolve("train-00000-of-00002.tfrecord"),
        data.resolve("video").resolve("train-00001-of-00002.tfrecord"));
    Set<String> modelNames = Set.of("model.json", "model.safetensors");
    Set<String> synthNames = Set.of("vocabulary.csv", "synth.txt", "video", "frame", "oracle");
    List<Command> c = new ArrayList<>();
    c.add(new Command("predict (glob)", List.of("predict", "--engine", "local", "-m", model.toString(), "-o", "OUT", glob),
        "--out", false, concat(validate, modelFiles), List.of(model), null));
    c.add(new Command("predict (folder)", List.of("predict", "--engine", "local", "-m", model.toString(), "-o", "OUT",
        data.resolve("video").toString()), "--out", false, concat(validate, trainFiles, modelFiles),
        List.of(model, data.resolve("video")), null));
    c.add(new Command("predict (linked file)", List.of("predict", "--engine", "local", "-m", model.toString(), "-o",
        "OUT", other.resolve("link-input.tfrecord").toString()), "--out", false, concat(List.of(validateShard(0)),
        modelFiles), List.of(model), null));
    // a run that fails halfway (a bad record in the last file) must leave every place as it was
    Path bad = other.resolve("bad.tfrecord");
    c.add(new Command("predict (failing)", List.of("predict", "--engine", "local", "-m", model.toString(), "-o", "OUT",
        validateShard(0).toString(), bad.toString()), "--out", false, concat(List.of(validateShard(0), bad), modelFiles),
        List.of(model), null, bad.toString()));
    c.add(new Command("eval -p", List.of("eval", "--classes", "8", "-p", data.resolve("oracle").resolve("validate*")
        .toString(), "--per-class", "OUT", glob), "--per-class", false, concat(validate, oracles), List.of(), null));
    c.add(new Command("eval -m --vocabulary", List.of("eval", "--vocabulary", data.resolve("vocabulary.csv").toString(),
        "-m", model.toString(), "--per-class", "OUT", data.resolve("video").toString()), "--per-class", false,
        concat(validate, trainFiles, modelFiles, List.of(data.resolve("vocabulary.csv"))),
        List.of(model, data.resolve("video")), null));
    c.add(new Command("synth", List.of("synth", "--out", "OUT", "-n", "6", "-c", "3", "--shards", "1", "--threads", "1",
        "--level", "video"), "--out", true, List.of(), List.of(), p -> synthNames.contains(p.getName(0).toString())));
    c.add(new Command("train", List.of("train", "--engine", "local", "--classes", "8", "--experts", "1", "--head-epochs",
        "1", "--train", data.resolve("video").resolve("train*").toString(), "--out", "OUT"), "--out", true, trainFiles,
        List.of(), p -> modelNames.contains(p.toString()) || p.getName(0).toString().equals("checkpoints")));
    return c;
  }

  @SafeVarargs
  private static List<Path> concat(List<Path>... lists) {
    return Stream.of(lists).flatMap(List::stream).toList();
  }

  /** Spellings of places to write, each with a name. */
  private Map<String, String> places() {
    Map<String, String> p = new LinkedHashMap<>();
    Path input = validateShard(0);
    p.put("an input file", input.toString());
    p.put("an input file spelled with ./ and ..", other.resolve("..").resolve("data").resolve(".").resolve("video")
        .resolve(input.getFileName()).toString());
    p.put("an input file as a file: URI", "file://" + input);
    p.put("a link to an input file", other.resolve("link-input.tfrecord").toString());
    p.put("a hard link to an input file", other.resolve("hard.tfrecord").toString());
    p.put("a training file", data.resolve("video").resolve("train-00000-of-00002.tfrecord").toString());
    p.put("inside the video folder", data.resolve("video").resolve("out.csv").toString());
    p.put("inside the video folder through a linked folder", other.resolve("linkdir").resolve("out.csv").toString());
    p.put("the video folder", data.resolve("video").toString());
    p.put("the data folder", data.toString());
    p.put("the workspace", root.toString());
    p.put("the linked video folder", other.resolve("linkdir").toString());
    p.put("model.json", model.resolve("model.json").toString());
    p.put("the model folder", model.toString());
    p.put("inside the model folder", model.resolve("inner").toString());
    p.put("the vocabulary", data.resolve("vocabulary.csv").toString());
    p.put("an oracle CSV", data.resolve("oracle").resolve("validate-00000-of-00002.csv").toString());
    p.put("an existing file", other.resolve("existing.csv").toString());
    p.put("a link to an existing file", other.resolve("link-existing.csv").toString());
    p.put("an empty folder", other.resolve("emptydir").toString());
    p.put("below a file", other.resolve("blocker").resolve("x.csv").toString());
    p.put("a file as a folder", other.resolve("blocker").toString());
    p.put("a new nested place", other.resolve("new").resolve("deeper").resolve("out.csv").toString());
    p.put("a new place as a file: URI", "file://" + other.resolve("new-uri").resolve("out.csv"));
    return p;
  }

  /** The real path of a local place, its missing part appended to its deepest existing folder's real path. */
  private static Path real(String place) throws IOException {
    Path p = Path.of(place.startsWith("file:") ? java.net.URI.create(place).getPath() : place).toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing == null ? p : existing.toRealPath().resolve(existing.relativize(p));
  }

  /** Why the README says {@code c} must refuse {@code place}, or null when it may write there. */
  private static String mustRefuse(Command c, String place) throws IOException {
    Path out = real(place);
    for (Path p = Path.of(place.startsWith("file:") ? java.net.URI.create(place).getPath() : place).toAbsolutePath()
        .getParent(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p)) {
        return "a place below a file";
      }
    }
    if (c.folder() && Files.isRegularFile(out)) {
      return "a file for a folder";
    }
    if (!c.folder() && Files.isDirectory(out)) {
      return "a directory for a file";
    }
    for (Path in : c.inputFiles()) {
      Path r = in.toRealPath();
      if (r.equals(out) || (c.folder() && r.startsWith(out))) {
        return "an input file, or a folder holding one";
      }
    }
    for (Path f : c.inputFolders()) {
      Path r = f.toRealPath();
      if (out.startsWith(r) && !out.equals(r)) {
        return "inside an input folder";
      }
    }
    return null;
  }

  /** Whether a successful run of {@code c} writing {@code place} may have changed {@code p}. */
  private static boolean written(Command c, String place, Path p) throws IOException {
    Path given = Path.of(place.startsWith("file:") ? java.net.URI.create(place).getPath() : place).toAbsolutePath()
        .normalize();
    for (Path out : List.of(given, real(place))) {
      if (!c.folder() && p.equals(out)) {
        return true;
      }
      if (c.folder() && p.startsWith(out) && !p.equals(out) && c.writes().test(out.relativize(p))) {
        return true;
      }
    }
    return false;
  }

  private Verdict runCase(Command c, String place, Map<Path, Entry> before, List<String> refusedWrongly)
      throws IOException {
    List<String> args = new ArrayList<>();
    for (String a : c.args()) {
      args.add(a.equals("OUT") ? place : a);
    }
    String why = mustRefuse(c, place);
    Run r = CommandsTest.run(args.toArray(new String[0]));
    boolean ok = r.code() == ExitCodes.OK || r.code() == ExitCodes.SKIPPED_RECORDS;
    Map<Path, Entry> after = snapshot();
    for (Map.Entry<Path, Entry> e : before.entrySet()) {
      // a run may change the place it was told to write, when it succeeds, unless that is one of its inputs
      boolean mayChange = ok && written(c, place, e.getKey()) && !c.inputFiles().contains(e.getKey());
      if (!e.getValue().same(after.get(e.getKey())) && !mayChange) {
        return Verdict.lost(e.getKey() + (after.containsKey(e.getKey()) ? " changed" : " removed") + ", exit " + r.code()
            + "\n" + cut(r));
      }
    }
    if (ok) {
      return why == null ? Verdict.accepted() : Verdict.wrong("wrote " + why + "\n" + cut(r));
    }
    if (r.err().contains("unexpected error") || (r.code() != ExitCodes.FAILED && r.code() != ExitCodes.USAGE)) {
      return Verdict.crash(cut(r));
    }
    if (why == null && c.failsOn() != null) {
      return r.err().contains(c.failsOn() + ": record 1 at byte offset") ? new Verdict(ProbeTally.Outcome.NAMED_ERROR, null)
          : Verdict.crash("the error does not name the bad record\n" + cut(r));
    }
    if (why == null) {
      refusedWrongly.add(c.name() + " " + place + ": " + cut(r));
    }
    if (r.err().length() > ProbeTally.MAX_MESSAGE_CHARS) {
      return Verdict.crash("a message of " + r.err().length() + " characters");
    }
    for (String work : List.of("wrote ", "stage ", "labelled videos:", "classes:")) {
      if (r.out().contains(work) && why != null) {
        return Verdict.wrong("refused only after the work (" + work + ")\n" + cut(r));
      }
    }
    return r.err().contains(c.option() + " " + place) ? new Verdict(ProbeTally.Outcome.NAMED_ERROR, null)
        : Verdict.crash("the message does not name " + c.option() + " " + place + "\n" + cut(r));
  }

  private static String cut(Run r) {
    String s = r.toString();
    return s.length() <= 1500 ? s : s.substring(0, 1500) + "… (" + s.length() + " chars)";
  }

  @Test
  void outputsOverwriteNothingButTheirPlaceAndRefuseTheInputs() throws IOException {
    workspace();
    ProbeTally tally = new ProbeTally("output paths", Duration.ofSeconds(120));
    Map<Path, Entry> before = snapshot();
    List<String> refusedWrongly = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(ProbeTally.SEED + 4);
    int cases = 0;
    for (Command c : commands()) {
      for (Map.Entry<String, String> place : places().entrySet()) {
        // training writes a model for a second or two: a fifth of its places, chosen by the seed
        if (c.name().equals("train") && r.nextInt(5) != 0 && mustRefuse(c, place.getValue()) == null) {
          continue;
        }
        cases++;
        tally.run(c.name() + " writing " + place.getKey() + " (" + place.getValue() + ")",
            () -> runCase(c, place.getValue(), before, refusedWrongly));
        restore(before);
      }
    }
    // Parquet on Spark: refused places cost nothing; one written place starts Spark once
    Command parquet = new Command("predict --parquet", List.of("predict", "--master", "local[1]", "-m", model.toString(),
        "-o", other.resolve("pq.csv").toString(), "--parquet", "OUT", data.resolve("video").resolve("validate*").toString()),
        "--parquet", true, concat(List.of(validateShard(0), validateShard(1)), List.of(model.resolve("model.json"),
        model.resolve("model.safetensors"))), List.of(model), p -> true);
    for (String place : List.of(data.resolve("video").toString(), other.resolve("emptydir").toString(),
        model.resolve("pq").toString(), other.resolve("blocker").resolve("pq").toString(), data.toString(),
        other.resolve("new-parquet").toString())) {
      cases++;
      tally.run("predict --parquet " + place, () -> {
        Verdict v = runCase(parquet, place, before, refusedWrongly);
        // the folder must not exist yet: an existing one is refused too
        if (v.outcome() == ProbeTally.Outcome.ACCEPTED && place.endsWith("emptydir")) {
          return Verdict.wrong("wrote Parquet into an existing folder");
        }
        return v;
      });
      restore(before);
    }
    refusedWrongly.removeIf(s -> s.startsWith("predict --parquet " + other.resolve("emptydir")));
    tally.assertClean();
    assertTrue(refusedWrongly.isEmpty(), "places the commands may write were refused:\n" + String.join("\n", refusedWrongly));
    assertTrue(tally.count(ProbeTally.Outcome.ACCEPTED) >= 20 && tally.count(ProbeTally.Outcome.NAMED_ERROR) >= 60,
        tally::row);
    assertEquals(cases, tally.cases());
  }
}
