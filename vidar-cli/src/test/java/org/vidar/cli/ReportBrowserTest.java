package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.cli.CommandsTest.Run;
import org.vidar.eval.PerClassCsv;
import org.vidar.train.MetricsLine;
import org.vidar.train.MetricsLog;

/**
 * {@code vidar report} rendered in a real browser (headless Chromium): the charts are drawn, in the
 * screenshot and in the DOM, and the numbers on the page are the models' metrics.jsonl and the
 * oracle's {@code vidar eval} figures. Fails when Chromium is missing, unless
 * {@code -Dvidar.browser.skip=true}.
 */
class ReportBrowserTest {
  @TempDir static Path tmp;
  private static Path data;
  private static Path deep;
  private static Path flat;
  private static Path page;
  private static Run eval;
  private static Run report;

  @BeforeAll
  static void trainAndReport() {
    data = tmp.resolve("data");
    Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "120", "-c", "12", "--level", "video",
        "--threads", "1", "--shards", "2", "--seed", "3");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
    deep = tmp.resolve("deep");
    Run a = CommandsTest.run("train", "--engine", "local", "--threads", "2", "--train", files("train"), "--validate",
        files("validate"), "--out", deep.toString(), "--classes", "12", "--hidden", "16", "--pretrain-epochs", "4",
        "--pretrain-holdout", "0", "--rounds", "1", "--experts", "2", "--head-epochs", "2", "--trunk-steps", "2");
    assertEquals(ExitCodes.OK, a.code(), a::toString);
    flat = tmp.resolve("flat");
    Run b = CommandsTest.run("train", "--engine", "local", "--threads", "2", "--train", files("train"), "--validate",
        files("validate"), "--out", flat.toString(), "--classes", "12", "--experts", "2", "--head-epochs", "2");
    assertEquals(ExitCodes.OK, b.code(), b::toString);
    String oracle = "oracle=" + data.resolve("oracle").resolve("validate*.csv");
    eval = CommandsTest.run("eval", "--classes", "12", "-p", oracle, files("validate"));
    assertEquals(ExitCodes.OK, eval.code(), eval::toString);
    page = tmp.resolve("out").resolve("report.html");
    report = CommandsTest.run("report", "--out", page.toString(), "-p", oracle, "deep=" + deep, "flat=" + flat);
    assertEquals(ExitCodes.OK, report.code(), report::toString);
    assertTrue(report.out().contains("report written to " + page), report::toString);
  }

  private static String files(String split) {
    return data.resolve("video").resolve(split + "*").toString();
  }

  @Test
  void thePageIsSelfContained() throws IOException {
    String html = Files.readString(page);
    assertTrue(!html.contains("http://") || html.replace("http://www.w3.org/2000/svg", "").indexOf("http://") < 0,
        "nothing fetched over the network");
    assertTrue(!html.contains("https://") && !html.contains(" src=") && !html.contains("<link"), "no external resource");
  }

  @Test
  void theNumbersOnThePageAreTheTrainingRecordsAndTheOracles() throws IOException {
    String dom = chromium().dumpDom(page, 1200, 2400);
    int checked = 0;
    for (int i = 0; i < 2; i++) {
      Path dir = i == 0 ? deep : flat;
      List<MetricsLine> lines = MetricsLog.read(dir.resolve(MetricsLog.FILE).toString());
      String table = element(dom, "<table class=\"record\" id=\"record-" + i + "\"", "</table>");
      List<String> rows = all(Pattern.compile("<tr class=\"(?:epoch|stage)\">(.*?)</tr>", Pattern.DOTALL), table, 1);
      assertEquals(lines.size(), rows.size(), table);
      for (int r = 0; r < rows.size(); r++) {
        MetricsLine l = lines.get(r);
        String row = rows.get(r);
        assertTrue(row.startsWith("<td>" + l.stage() + "</td>"), row);
        checked += cell(row, "seconds", l.seconds(), "%.1f") + cell(row, "stage_seconds", l.stageSeconds(), "%.1f")
            + cell(row, "train_loss", l.trainLoss(), "%.5f") + cell(row, "gap", l.gap(), "%.4f")
            + cell(row, "hit1", l.hit1(), "%.4f") + cell(row, "perr", l.perr(), "%.4f") + cell(row, "map", l.map(), "%.4f")
            + cell(row, "videos_per_s", l.videosPerSecond(), "%.0f");
      }
    }
    assertTrue(checked > 40, "figures checked: " + checked);
    // The oracle's row is vidar eval's figures.
    String oracleRow = element(dom, "<tr data-name=\"oracle\">", "</tr>");
    for (String metric : List.of("GAP@20", "Hit@1", "PERR", "MAP")) {
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(?: \\(top-20\\))? +([0-9.]+)$").matcher(eval.out());
      assertTrue(m.find(), metric + " in " + eval);
      String field = metric.startsWith("GAP") ? "gap" : metric.equals("Hit@1") ? "hit1" : metric.toLowerCase(Locale.ROOT);
      Matcher shown = Pattern.compile("data-field=\"" + field + "\" data-value=\"[^\"]*\">([^<]*)<").matcher(oracleRow);
      assertTrue(shown.find(), field + " in " + oracleRow);
      assertEquals(m.group(1), shown.group(1), metric);
    }
  }

  @Test
  void theChartsAreDrawn() throws IOException {
    String dom = chromium().dumpDom(page, 1200, 2400);
    String gapChart = element(dom, "<svg id=\"gap-chart\"", "</svg>");
    String lossChart = element(dom, "<svg id=\"loss-chart\"", "</svg>");
    String apChart = element(dom, "<svg id=\"ap-chart\"", "</svg>");
    for (String name : List.of("deep", "flat")) {
      Path dir = name.equals("deep") ? deep : flat;
      List<MetricsLine> lines = MetricsLog.read(dir.resolve(MetricsLog.FILE).toString());
      List<String> expected = new ArrayList<>();
      lines.stream().filter(l -> !Double.isNaN(l.gap())).forEach(l -> expected.add(l.seconds() + "," + l.gap()));
      assertEquals(expected, points(gapChart, name), "the GAP chart's points are " + name + "'s metrics.jsonl");
      if (expected.size() > 1) {
        Matcher path = Pattern.compile("<path class=\"series\" data-series=\"" + name + "\" d=\"(M[^\"]+)\"")
            .matcher(gapChart);
        assertTrue(path.find(), gapChart);
        assertEquals(expected.size() - 1, path.group(1).split(" L").length - 1, path.group(1));
      }
      List<String> losses = new ArrayList<>();
      lines.stream().filter(l -> !Double.isNaN(l.trainLoss())).forEach(l -> losses.add(l.seconds() + "," + l.trainLoss()));
      assertEquals(losses, points(lossChart, name));
      PerClassCsv.Table t = PerClassCsv.read(dir.resolve(PerClassCsv.FILE).toString());
      List<String> classes = new ArrayList<>();
      for (int c = 0; c < t.positives().length; c++) {
        if (t.positives()[c] > 0 && !Double.isNaN(t.ap("model")[c])) {
          classes.add((double) t.positives()[c] + "," + t.ap("model")[c]);
        }
      }
      assertEquals(classes, points(apChart, name), "per-class AP from " + name + "'s per-class.csv");
    }
    assertEquals(4 + 3, points(gapChart, "deep").size(), "four epochs and three stages");
    assertTrue(points(apChart, "oracle").size() >= 8, apChart);
    Matcher reference = Pattern.compile("<line class=\"reference\" data-series=\"oracle\" data-y=\"([^\"]+)\"")
        .matcher(gapChart);
    assertTrue(reference.find(), gapChart);
    Matcher evalGap = Pattern.compile("(?m)^GAP@20 +([0-9.]+)$").matcher(eval.out());
    assertTrue(evalGap.find(), eval::toString);
    assertEquals(evalGap.group(1), String.format(Locale.ROOT, "%.4f", Double.parseDouble(reference.group(1))));

    // The screenshot: each series' colour is drawn, far more than its legend's dot.
    Path png = tmp.resolve("report.png");
    chromium().screenshot(page, png, 1200, 1600);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1200, image.getWidth());
    int deepBlue = count(image, 0x1f77b4);
    int flatRed = count(image, 0xd62728);
    int oracleOrange = count(image, 0xff7f0e);
    String counts = "pixels of deep " + deepBlue + ", flat " + flatRed + ", oracle " + oracleOrange;
    // A legend's dot is about 50 pixels; the deep model's two curves several hundred, the oracle's
    // dashed line and 12 dots, the flat model's few points, fewer.
    assertTrue(deepBlue > 600, counts);
    assertTrue(flatRed > 120, counts);
    assertTrue(oracleOrange > 250, counts);
  }

  private static HeadlessChromium chromium() throws IOException {
    return HeadlessChromium.find(tmp);
  }

  /** The data-x,data-y of a series' points in a chart, in order. */
  private static List<String> points(String chart, String series) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("<circle class=\"point\" data-series=\"" + Pattern.quote(series)
        + "\" data-x=\"([^\"]+)\" data-y=\"([^\"]+)\"").matcher(chart);
    while (m.find()) {
      out.add(Double.parseDouble(m.group(1)) + "," + Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /** Checks one cell: its exact value and its text; 1 when it held a figure. */
  private static int cell(String row, String field, double v, String format) {
    Matcher m = Pattern.compile("data-field=\"" + field + "\" data-value=\"([^\"]*)\">([^<]*)<").matcher(row);
    assertTrue(m.find(), field + " in " + row);
    if (Double.isNaN(v)) {
      assertEquals("", m.group(1), field);
      assertEquals("-", m.group(2), field);
      return 0;
    }
    assertEquals(v, Double.parseDouble(m.group(1)), field + " in " + row);
    assertEquals(String.format(Locale.ROOT, format, v), m.group(2), field + " in " + row);
    return 1;
  }

  private static String element(String dom, String start, String end) {
    int from = dom.indexOf(start);
    assertTrue(from >= 0, start + " not in the DOM");
    return dom.substring(from, dom.indexOf(end, from) + end.length());
  }

  private static List<String> all(Pattern p, String text, int group) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group(group));
    }
    return out;
  }

  /** Pixels within a small distance of {@code rgb} (anti-aliased edges count when close). */
  private static int count(BufferedImage image, int rgb) {
    int r0 = rgb >> 16 & 0xff;
    int g0 = rgb >> 8 & 0xff;
    int b0 = rgb & 0xff;
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (Math.abs((p >> 16 & 0xff) - r0) + Math.abs((p >> 8 & 0xff) - g0) + Math.abs((p & 0xff) - b0) < 60) {
          n++;
        }
      }
    }
    return n;
  }
}
