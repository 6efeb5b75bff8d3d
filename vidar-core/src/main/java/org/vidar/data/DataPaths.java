package org.vidar.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Resolves what users name as input (files, directories, globs; local paths or Hadoop FileSystem URIs
 * such as {@code hdfs://} or {@code file:///}) into a sorted list of files, and creates output files
 * atomically. Plain paths go through java.nio; anything with a URI scheme goes through Hadoop.
 *
 * <p>A directory stands for the TFRecord files in it and below it: names holding {@code .tfrecord}
 * (YouTube-8M's {@code train0000.tfrecord}, {@code *.tfrecords}, {@code *.tfrecord.gz}). Names
 * starting with {@code .} or {@code _} are skipped, as Hadoop and Spark mark their own files so.
 */
public final class DataPaths {
  private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
  private static final int BUFFER = 1 << 20;

  private DataPaths() {}

  /** True when {@code location} is a URI handled by Hadoop rather than a plain local path. */
  public static boolean isUri(String location) {
    return URI_SCHEME.matcher(location).matches() && !location.matches("^[a-zA-Z]:\\\\.*");
  }

  /**
   * The files named by {@code locations}, each location's matches sorted by name, duplicates removed.
   *
   * @throws FileNotFoundException naming the first location that matches no file
   */
  public static List<InputFile> resolve(List<String> locations) throws IOException {
    Map<String, InputFile> files = new LinkedHashMap<>();
    for (String location : locations) {
      List<InputFile> matched = isUri(location) ? resolveHadoop(location) : resolveLocal(location);
      if (matched.isEmpty()) {
        throw new FileNotFoundException("no TFRecord input matches '" + location + "'");
      }
      for (InputFile f : matched) {
        files.putIfAbsent(f.name(), f);
      }
    }
    return List.copyOf(files.values());
  }

  static boolean isDataFileName(String name) {
    return name.contains(".tfrecord") && !name.startsWith(".") && !name.startsWith("_");
  }

  /**
   * True when a folder between {@code root} and {@code file} starts with {@code .} or {@code _}, as
   * Hadoop's and Spark's unfinished output ({@code _temporary/}, {@code .staging/}) does.
   */
  static boolean hiddenBelow(Path root, Path file) {
    Path relative = root.relativize(file);
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      String name = relative.getName(i).toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hiddenBelow(org.apache.hadoop.fs.Path root, org.apache.hadoop.fs.Path file) {
    for (org.apache.hadoop.fs.Path p = file.getParent(); p != null && !p.equals(root); p = p.getParent()) {
      if (p.getName().startsWith(".") || p.getName().startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  private static List<InputFile> resolveLocal(String location) throws IOException {
    List<Path> paths = new ArrayList<>();
    if (hasGlob(location)) {
      Path absolute = Paths.get(location).toAbsolutePath().normalize();
      String text = absolute.toString();
      int firstGlob = Stream.of('*', '?', '[', '{').mapToInt(c -> text.indexOf(c)).filter(i -> i >= 0)
          .min().orElseThrow();
      Path base = Paths.get(text.substring(0, text.lastIndexOf('/', firstGlob) + 1));
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + text);
      if (Files.isDirectory(base)) {
        walkFiles(base, p -> matcher.matches(p) && !hiddenBelow(base, p), paths);
      }
    } else {
      Path path = Paths.get(location).toAbsolutePath().normalize();
      if (Files.isDirectory(path)) {
        walkFiles(path, p -> isDataFileName(p.getFileName().toString()) && !hiddenBelow(path, p), paths);
      } else if (Files.isRegularFile(path)) {
        paths.add(path);
      } else {
        throw new FileNotFoundException("no such file or directory: " + location);
      }
    }
    paths.sort(Comparator.comparing(Path::toString));
    List<InputFile> out = new ArrayList<>(paths.size());
    for (Path p : paths) {
      out.add(new LocalFile(p, Files.size(p)));
    }
    return out;
  }

  /**
   * Adds to {@code into} the regular files below {@code root} that {@code wanted} accepts, following
   * symbolic links to folders and files (data are often linked in from elsewhere), each path as
   * reached through {@code root}. A link that leads back to a folder above it is not entered twice.
   */
  private static void walkFiles(Path root, java.util.function.Predicate<Path> wanted, List<Path> into)
      throws IOException {
    Files.walkFileTree(root, java.util.EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
        new SimpleFileVisitor<Path>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // A link whose target is gone arrives with the link's own attributes: not a regular file.
            if (attrs.isRegularFile() && wanted.test(file)) {
              into.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
  }

  private static List<InputFile> resolveHadoop(String location) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
    FileSystem fs = path.getFileSystem(new Configuration());
    FileStatus[] statuses = fs.globStatus(path);
    List<InputFile> out = new ArrayList<>();
    if (statuses == null) {
      throw new FileNotFoundException("no such file or directory: " + location);
    }
    for (FileStatus status : statuses) {
      if (status.isDirectory()) {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(status.getPath(), true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (f.isFile() && isDataFileName(f.getPath().getName())
              && !hiddenBelow(status.getPath(), f.getPath())) {
            out.add(new HadoopFile(fs, f.getPath(), f.getLen()));
          }
        }
      } else {
        out.add(new HadoopFile(fs, status.getPath(), status.getLen()));
      }
    }
    out.sort(Comparator.comparing(InputFile::name));
    return out;
  }

  private static InputStream decompress(String name, InputStream raw) throws IOException {
    if (!name.endsWith(".gz")) {
      return new BufferedInputStream(raw, BUFFER);
    }
    try {
      return new BufferedInputStream(new GzipMembersInputStream(raw, BUFFER), BUFFER);
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      raw.close();
      // The first header is read at once, and the message names no file.
      throw new UnreadableFileException(name, "not a readable gzip file (" + e.getMessage() + ")");
    }
  }

  /** A file that cannot be read at all: a compressed file whose header is corrupt. The message names it. */
  public static final class UnreadableFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String detail;

    UnreadableFileException(String name, String detail) {
      super(name + ": " + detail);
      this.detail = detail;
    }

    /** What is wrong, without the file's name. */
    public String detail() {
      return detail;
    }
  }

  private record LocalFile(Path path, long length) implements InputFile {
    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public InputStream open() throws IOException {
      return decompress(name(), Files.newInputStream(path));
    }
  }

  private record HadoopFile(FileSystem fs, org.apache.hadoop.fs.Path path, long length)
      implements InputFile {
    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public InputStream open() throws IOException {
      return decompress(name(), fs.open(path, BUFFER));
    }
  }

  /**
   * The hidden name under which a file or folder is written before it is renamed to {@code name}:
   * {@code .NAME.UUID.tmp}. A run that is killed leaves it behind; {@link #removeTemporaries} finds
   * it by this pattern.
   */
  public static String temporaryName(String name) {
    return "." + name + "." + UUID.randomUUID() + ".tmp";
  }

  private static final String UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  /**
   * Removes from {@code directory} (not below it) the temporary files and folders that
   * {@link #temporaryName} gives for names {@code names} matches whole, as a run that was killed
   * before renaming them into place leaves them; nothing else. For local paths and URIs alike;
   * nothing when the directory does not exist.
   *
   * @return the locations removed
   */
  public static List<String> removeTemporaries(String directory, Pattern names) throws IOException {
    Pattern temporary = Pattern.compile("\\.(" + names.pattern() + ")\\." + UUID_TEXT + "\\.tmp");
    List<String> removed = new ArrayList<>();
    for (String name : list(directory)) {
      if (temporary.matcher(name).matches()) {
        String location = join(directory, name);
        deleteRecursively(location);
        removed.add(location);
      }
    }
    return removed;
  }

  /**
   * Makes sure {@code directory} exists (creating it and its parents) and that a file can be created
   * in it, by creating and deleting one; for local paths and URIs alike. The message of the
   * exception names the directory and what is in the way.
   */
  public static void prepareDirectory(String directory) throws IOException {
    if (isUri(directory)) {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(directory);
      FileSystem fs = dir.getFileSystem(new Configuration());
      try {
        if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
          throw new IOException(directory + " is a file, not a directory");
        }
        if (!fs.mkdirs(dir)) {
          throw new IOException("cannot create the directory " + directory);
        }
        org.apache.hadoop.fs.Path probe = new org.apache.hadoop.fs.Path(dir, temporaryName("write-probe"));
        fs.create(probe, false).close();
        fs.delete(probe, false);
      } catch (IOException e) {
        throw e.getMessage() != null && e.getMessage().contains(directory) ? e
            : new IOException("cannot write in " + directory + ": " + e, e);
      }
      return;
    }
    Path dir = Paths.get(directory).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new IOException("cannot write in " + directory + ": " + p + " is a file, not a directory");
        }
        break;
      }
    }
    try {
      Files.createDirectories(dir);
      Path probe = Files.createFile(dir.resolve(temporaryName("write-probe")));
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException("cannot write in " + directory + ": " + describe(e), e);
    }
  }

  /** What an I/O error from java.nio says: its reason (or kind) and the file, whose name alone is its message. */
  private static String describe(IOException e) {
    if (e instanceof java.nio.file.FileSystemException f) {
      String reason = f instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
      return reason + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    }
    return String.valueOf(e.getMessage());
  }

  /**
   * Creates {@code location} atomically: bytes go to a hidden temporary file beside it, which
   * {@link AtomicOutput#commit()} renames into place. Closing without commit deletes the temporary
   * file, so a failed job never leaves a partial file under the final name.
   */
  public static AtomicOutput createAtomic(String location) throws IOException {
    if (isUri(location)) {
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = target.getFileSystem(new Configuration());
      fs.setWriteChecksum(false);
      org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(),
          temporaryName(target.getName()));
      fs.mkdirs(target.getParent());
      OutputStream out = new BufferedOutputStream(fs.create(tmp, true), BUFFER);
      return new AtomicOutput(location, out, () -> {
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
          throw new IOException("could not rename " + tmp + " to " + target);
        }
      }, () -> fs.delete(tmp, false));
    }
    Path target = Paths.get(location).toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(temporaryName(target.getFileName().toString()));
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), BUFFER);
    return new AtomicOutput(location, out,
        () -> Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE),
        () -> Files.deleteIfExists(tmp));
  }

  /**
   * Creates (or replaces) {@code location} for a log written as a job goes, not atomically: each
   * {@code flush()} makes what was written visible to readers (Hadoop's {@code hflush} on URIs), so a
   * job that dies leaves the lines it flushed.
   */
  public static OutputStream createLog(String location) throws IOException {
    if (isUri(location)) {
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = target.getFileSystem(new Configuration());
      fs.mkdirs(target.getParent());
      org.apache.hadoop.fs.FSDataOutputStream hadoop = fs.create(target, true);
      return new java.io.FilterOutputStream(hadoop) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          hadoop.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          hadoop.hflush();
        }
      };
    }
    Path target = Paths.get(location).toAbsolutePath();
    Files.createDirectories(target.getParent());
    return Files.newOutputStream(target);
  }

  /**
   * Moves a finished directory into place in one rename (so readers see all of it or none), for
   * local paths and URIs alike; the target must not exist.
   */
  public static void renameDirectory(String from, String to) throws IOException {
    if (isUri(from) != isUri(to)) {
      throw new IOException("cannot move " + from + " to " + to + ": not on one file system");
    }
    if (isUri(from)) {
      org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(from);
      org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(to);
      FileSystem fs = src.getFileSystem(new Configuration());
      if (fs.exists(dst) || !fs.rename(src, dst)) {
        throw new IOException("could not rename " + from + " to " + to);
      }
      return;
    }
    Files.move(Paths.get(from), Paths.get(to), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Deletes {@code location} and everything below it (nothing when it does not exist), for local
   * paths and URIs alike: how a job removes its intermediate data once nothing reads it.
   */
  public static void deleteRecursively(String location) throws IOException {
    if (isUri(location)) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
      p.getFileSystem(new Configuration()).delete(p, true);
      return;
    }
    Path root = Paths.get(location);
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  /** The names in a directory (empty when it does not exist), for local paths and URIs alike. */
  public static List<String> list(String directory) throws IOException {
    List<String> names = new ArrayList<>();
    if (isUri(directory)) {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(directory);
      FileSystem fs = dir.getFileSystem(new Configuration());
      if (fs.exists(dir)) {
        for (FileStatus st : fs.listStatus(dir)) {
          names.add(st.getPath().getName());
        }
      }
    } else {
      Path dir = Paths.get(directory);
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.forEach(p -> names.add(p.getFileName().toString()));
        }
      }
    }
    names.sort(null);
    return names;
  }

  /** Joins a directory location and a file name, for local paths and URIs alike. */
  public static String join(String directory, String name) {
    if (isUri(directory)) {
      return new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(directory), name).toString();
    }
    return Paths.get(directory, name).toString();
  }

  /** True when a file exists at {@code location}. */
  public static boolean exists(String location) {
    try {
      if (isUri(location)) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(URI.create(location));
        return p.getFileSystem(new Configuration()).exists(p);
      }
      return Files.exists(Paths.get(location));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Opens any single file for reading (decompressing {@code .gz}). */
  public static InputStream open(String location) throws IOException {
    List<InputFile> files = isUri(location) ? resolveHadoop(location) : resolveLocal(location);
    if (files.size() != 1) {
      throw new FileNotFoundException("'" + location + "' names " + files.size() + " files, expected one");
    }
    return files.get(0).open();
  }
}
