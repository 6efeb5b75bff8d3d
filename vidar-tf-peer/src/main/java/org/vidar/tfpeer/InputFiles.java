package org.vidar.tfpeer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns what the user names (files, directories, globs in the last path element, comma-separated
 * lists) into a list of files: each location's matches sorted by name, duplicates dropped. A directory
 * stands for the files in it whose names hold {@code .tfrecord}, as in Vidar.
 */
final class InputFiles {
  private InputFiles() {}

  /**
   * The files named by {@code locations}.
   *
   * @throws FileNotFoundException naming the first location that matches no file
   */
  static List<Path> resolve(List<String> locations) throws IOException {
    Set<Path> files = new LinkedHashSet<>();
    for (String list : locations) {
      for (String location : list.split(",")) {
        if (location.isBlank()) {
          continue;
        }
        List<Path> matched = resolveOne(location.strip());
        if (matched.isEmpty()) {
          throw new FileNotFoundException("no file matches '" + location + "'");
        }
        files.addAll(matched);
      }
    }
    return List.copyOf(files);
  }

  private static List<Path> resolveOne(String location) throws IOException {
    Path path = Path.of(location).toAbsolutePath().normalize();
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    List<Path> matched = new ArrayList<>();
    if (hasGlob(name)) {
      Path parent = path.getParent();
      if (hasGlob(parent.toString())) {
        throw new IllegalArgumentException("'" + location
            + "': only the last path element may hold a glob (*, ?, [, {)");
      }
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
      if (Files.isDirectory(parent)) {
        try (Stream<Path> list = Files.list(parent)) {
          list.filter(p -> Files.isRegularFile(p) && matcher.matches(p.getFileName()))
              .sorted().forEach(matched::add);
        }
      }
    } else if (Files.isDirectory(path)) {
      try (Stream<Path> list = Files.list(path)) {
        list.filter(p -> Files.isRegularFile(p) && isRecordFileName(p.getFileName().toString()))
            .sorted().forEach(matched::add);
      }
    } else if (Files.isRegularFile(path)) {
      matched.add(path);
    }
    return matched;
  }

  private static boolean isRecordFileName(String name) {
    return name.contains(".tfrecord") && !name.startsWith(".") && !name.startsWith("_");
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }
}
