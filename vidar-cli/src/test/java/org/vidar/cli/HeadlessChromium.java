package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real browser for tests: Chromium run headless on a page, for its DOM after scripts and a
 * screenshot. Missing Chromium fails the test, naming how to install it, unless
 * {@code -Dvidar.browser.skip=true} opts out; {@code -Dvidar.chromium=PATH} names the executable.
 */
final class HeadlessChromium {
  static final String SKIP = "vidar.browser.skip";
  private final String executable;
  private final Path profile;

  private HeadlessChromium(String executable, Path profile) {
    this.executable = executable;
    this.profile = profile;
  }

  /** The browser, or a failed (or, with the opt-out, aborted) test when there is none. */
  static HeadlessChromium find(Path scratch) throws IOException {
    String named = System.getProperty("vidar.chromium");
    List<String> candidates = named != null ? List.of(named)
        : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
    for (String c : candidates) {
      String found = onPath(c);
      if (found != null) {
        return new HeadlessChromium(found, Files.createDirectories(scratch.resolve("chromium-profile")));
      }
    }
    String message = "no Chromium to render the report in (looked for " + String.join(", ", candidates)
        + "): install it (Debian: apt-get install -y chromium; .ci/run does), name it with -Dvidar.chromium=PATH, or "
        + "skip the browser tests with -D" + SKIP + "=true";
    if (Boolean.getBoolean(SKIP)) {
      Assumptions.abort(message);
    }
    fail(message);
    return null;
  }

  private static String onPath(String name) {
    if (name.contains(File.separator)) {
      return Files.isExecutable(Path.of(name)) ? name : null;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** The page's DOM after its scripts ran. */
  String dumpDom(Path page, int width, int height) throws IOException {
    return run(page, width, height, "--dump-dom");
  }

  /** A PNG screenshot of the page's top {@code width} x {@code height} pixels. */
  void screenshot(Path page, Path png, int width, int height) throws IOException {
    run(page, width, height, "--screenshot=" + png.toAbsolutePath());
    if (!Files.isRegularFile(png) || Files.size(png) == 0) {
      fail("chromium wrote no screenshot to " + png);
    }
  }

  private String run(Path page, int width, int height, String what) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(executable, "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--no-first-run", "--disable-extensions", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height, what, page.toAbsolutePath().toUri().toString()));
    Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("chromium did not finish in 120 s: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for chromium", e);
    }
    if (p.exitValue() != 0) {
      fail("chromium exited with " + p.exitValue() + ": " + String.join(" ", cmd) + "\n"
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
