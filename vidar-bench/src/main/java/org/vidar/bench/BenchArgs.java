package org.vidar.bench;

/** The {@code key=value} arguments of the whole-job benchmarks. */
final class BenchArgs {
  private BenchArgs() {}

  /** The value of {@code key}, or {@code fallback} when it is not given. */
  static String get(String[] args, String key, String fallback) {
    for (String a : args) {
      if (a.startsWith(key + "=")) {
        return a.substring(key.length() + 1);
      }
    }
    return fallback;
  }
}
