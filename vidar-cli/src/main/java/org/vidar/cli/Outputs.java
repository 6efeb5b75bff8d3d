package org.vidar.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.vidar.data.DataPaths;
import org.vidar.data.InputFile;

/**
 * The places a command writes, checked before its first expensive step, so that a wrong output
 * fails in a second rather than after hours of training: none is an input file, holds one or lies
 * inside a folder given as input; each folder exists (created if need be) and takes a new file.
 * Then the temporary files a killed run left there (of Vidar's own naming only,
 * {@link DataPaths#temporaryName} of a name the command writes) are removed, which one line on
 * stderr says.
 *
 * <p>Local paths are compared as real paths (symbolic links resolved, so two spellings of one file
 * are one file); other file systems' URIs as written.
 */
final class Outputs {
  /** How a command writes a place. */
  private enum Kind {
    /** One file, written atomically: its folder is created. */
    FILE,
    /** A folder written into. */
    FOLDER,
    /** A folder that must not exist yet, written whole by another writer (Spark's Parquet). */
    NEW_FOLDER
  }

  private record Place(String option, String location, Kind kind) {}

  private final List<String> inputLocations = new ArrayList<>();
  private final List<String> inputFiles = new ArrayList<>();
  private final List<Place> places = new ArrayList<>();
  private final Map<String, Pattern> temporaries = new LinkedHashMap<>();

  /**
   * @param locations the inputs as the user named them (files, folders, globs): an output may not lie inside a folder among them
   * @param files the input files they resolved to: an output may not be one or hold one
   */
  Outputs(List<String> locations, List<InputFile> files) {
    inputLocations.addAll(locations);
    for (InputFile f : files) {
      inputFiles.add(f.name());
    }
  }

  /** A command without inputs. */
  static Outputs withoutInputs() {
    return new Outputs(List.of(), List.of());
  }

  /** Another input, a file or a folder (a vocabulary, a model directory); nothing when null. */
  Outputs input(String location) {
    if (location != null) {
      inputLocations.add(location);
      if (!DataPaths.isUri(location) && Files.isRegularFile(Path.of(location))) {
        inputFiles.add(location);
      }
    }
    return this;
  }

  /** A file {@code option} names, written atomically; nothing when {@code location} is null. */
  Outputs file(String option, String location) {
    if (location != null) {
      places.add(new Place(option, location, Kind.FILE));
      String name = DataPaths.isUri(location) ? new org.apache.hadoop.fs.Path(location).getName()
          : Path.of(location).toAbsolutePath().getFileName().toString();
      temporaries.merge(parent(location), Pattern.compile(Pattern.quote(name)),
          (a, b) -> Pattern.compile(a.pattern() + "|" + b.pattern()));
    }
    return this;
  }

  /**
   * A folder {@code option} names, which the command writes into; {@code files} are the names of
   * the files it writes directly in it atomically (null: none). Nothing when {@code location} is null.
   */
  Outputs folder(String option, String location, Pattern files) {
    if (location != null) {
      places.add(new Place(option, location, Kind.FOLDER));
      if (files != null) {
        temporaries(location, files);
      }
    }
    return this;
  }

  /** A folder {@code option} names that must not exist yet; nothing when {@code location} is null. */
  Outputs newFolder(String option, String location) {
    if (location != null) {
      places.add(new Place(option, location, Kind.NEW_FOLDER));
    }
    return this;
  }

  /** A folder below an output where the command writes files named {@code files}, each atomically. */
  Outputs temporaries(String folder, Pattern files) {
    temporaries.merge(folder, files, (a, b) -> Pattern.compile(a.pattern() + "|" + b.pattern()));
    return this;
  }

  /**
   * Checks every place against the inputs, creates the folders and checks that they take a new
   * file, then removes what killed runs left, saying so on {@code err} in one line.
   *
   * @throws IllegalArgumentException naming the option when an output would overwrite or land among the inputs
   * @throws IOException naming the place when it cannot be created or written
   */
  void prepare(PrintStream err) throws IOException {
    for (Place p : places) {
      checkAgainstInputs(p);
    }
    for (Place p : places) {
      create(p);
    }
    List<String> removed = new ArrayList<>();
    for (Map.Entry<String, Pattern> e : temporaries.entrySet()) {
      removed.addAll(DataPaths.removeTemporaries(e.getKey(), e.getValue()));
    }
    if (!removed.isEmpty()) {
      err.println(String.format(Locale.ROOT, "removed %d temporary file%s that a run which did not finish left: %s%s",
          removed.size(), removed.size() == 1 ? "" : "s", String.join(", ", removed.subList(0, Math.min(3, removed.size()))),
          removed.size() > 3 ? " and " + (removed.size() - 3) + " more" : ""));
    }
  }

  private void checkAgainstInputs(Place p) {
    Path out = localPath(p.location());
    for (String file : inputFiles) {
      Path in = localPath(file);
      boolean local = in != null && out != null;
      if (local ? in.equals(out) : file.equals(p.location())) {
        throw new IllegalArgumentException(p.option() + " " + p.location() + " is one of the input files (" + file
            + "): writing there would destroy it; choose another " + p.option());
      }
      if (p.kind() != Kind.FILE && (local ? in.startsWith(out) : file.startsWith(withSlash(p.location())))) {
        throw new IllegalArgumentException(p.option() + " " + p.location() + " holds the input file " + file
            + ": writing there could destroy it or mix outputs with the data; choose another " + p.option());
      }
    }
    for (String location : inputLocations) {
      Path in = localPath(location);
      boolean folder = in != null ? Files.isDirectory(in) : !location.matches(".*[*?\\[{].*");
      if (!folder) {
        continue;
      }
      boolean inside = in != null && out != null ? out.startsWith(in) && !out.equals(in)
          : p.location().startsWith(withSlash(location));
      if (inside) {
        throw new IllegalArgumentException(p.option() + " " + p.location() + " lies inside the input folder " + location
            + ", where it would be mixed with the data (and may be read as input by a later run); choose a place "
            + "outside it");
      }
    }
  }

  private static void create(Place p) throws IOException {
    switch (p.kind()) {
      case FILE -> {
        if (!DataPaths.isUri(p.location()) && Files.isDirectory(Path.of(p.location()))) {
          throw new IllegalArgumentException(p.option() + " " + p.location() + " is a directory; give a file name");
        }
        prepare(p, parent(p.location()));
      }
      case FOLDER -> prepare(p, p.location());
      case NEW_FOLDER -> {
        if (DataPaths.exists(p.location())) {
          throw new IllegalArgumentException(p.option() + " " + p.location() + " exists already; remove it or choose "
              + "another " + p.option());
        }
        prepare(p, parent(p.location()));
      }
      default -> throw new IllegalStateException(p.kind().toString());
    }
  }

  private static void prepare(Place p, String folder) throws IOException {
    try {
      DataPaths.prepareDirectory(folder);
    } catch (IOException e) {
      throw new IOException(p.option() + " " + p.location() + ": " + e.getMessage(), e);
    }
  }

  /** The folder a file or folder location is in. */
  private static String parent(String location) {
    if (DataPaths.isUri(location)) {
      org.apache.hadoop.fs.Path parent = new org.apache.hadoop.fs.Path(location).getParent();
      return parent == null ? location : parent.toString();
    }
    Path parent = Path.of(location).toAbsolutePath().normalize().getParent();
    return parent == null ? "/" : parent.toString();
  }

  private static String withSlash(String location) {
    return location.endsWith("/") ? location : location + "/";
  }

  /**
   * The real path of a local location ({@code file:} URIs too), the part that does not exist yet
   * appended to the real path of its deepest existing folder; null for another file system.
   */
  static Path localPath(String name) {
    String path = name.startsWith("file:") ? URI.create(name).getPath() : name;
    if (DataPaths.isUri(path)) {
      return null; // hdfs:, s3a:, ...
    }
    Path p = Path.of(path).toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p));
    } catch (IOException e) {
      return p;
    }
  }
}
