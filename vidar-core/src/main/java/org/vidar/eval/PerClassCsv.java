package org.vidar.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vidar.data.AtomicOutput;
import org.vidar.data.DataPaths;

/**
 * Per-class AP as a CSV, {@code Index,Name,Positives,AP_<set>...}: one row a class, its positive
 * videos and the AP of each prediction set (empty for a class without positives). {@code vidar eval
 * --per-class} writes it, {@code vidar train} writes the written stage's into the model directory.
 */
public final class PerClassCsv {
  /** The file's name in a model directory. */
  public static final String FILE = "per-class.csv";

  /**
   * A per-class table read back.
   *
   * @param sets the prediction sets' names, in column order
   * @param classNames each class's name (empty strings when none)
   * @param positives each class's positive videos
   * @param ap per set, each class's AP (NaN without positives)
   */
  public record Table(List<String> sets, List<String> classNames, long[] positives, List<double[]> ap) {
    /** The AP column of {@code set}. */
    public double[] ap(String set) {
      int i = sets.indexOf(set);
      if (i < 0) {
        throw new IllegalArgumentException("no AP column for '" + set + "' among " + sets);
      }
      return ap.get(i);
    }
  }

  private PerClassCsv() {}

  /** Writes the table of {@code reports} (named {@code sets}) to {@code location}, atomically. */
  public static void write(String location, List<String> sets, List<EvalReport> reports, List<String> classNames)
      throws IOException {
    try (AtomicOutput output = DataPaths.createAtomic(location)) {
      StringBuilder sb = new StringBuilder("Index,Name,Positives");
      for (String n : sets) {
        sb.append(",AP_").append(n);
      }
      sb.append('\n');
      EvalReport first = reports.get(0);
      for (int c = 0; c < first.classPositives().length; c++) {
        sb.append(c).append(',').append(c < classNames.size() ? quoted(classNames.get(c)) : "")
            .append(',').append(first.classPositives(c));
        for (EvalReport r : reports) {
          double ap = r.classAp(c);
          sb.append(',').append(Double.isNaN(ap) ? "" : String.format(Locale.ROOT, "%.6f", ap));
        }
        sb.append('\n');
      }
      output.stream().write(sb.toString().getBytes(StandardCharsets.UTF_8));
      output.commit();
    }
  }

  /** Reads a table {@link #write} wrote; an error names the file, the line and the column. */
  public static Table read(String location) throws IOException {
    try (InputStream in = DataPaths.open(location)) {
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String header = r.readLine();
      if (header == null || !header.startsWith("Index,Name,Positives")) {
        throw new IOException(location + ": not a per-class AP table (header Index,Name,Positives,AP_...)");
      }
      List<String> sets = new ArrayList<>();
      for (String column : split(header)) {
        if (column.startsWith("AP_")) {
          sets.add(column.substring(3));
        }
      }
      List<String> names = new ArrayList<>();
      List<Long> positives = new ArrayList<>();
      List<List<Double>> ap = new ArrayList<>();
      sets.forEach(s -> ap.add(new ArrayList<>()));
      int line = 1;
      for (String text = r.readLine(); text != null; text = r.readLine()) {
        line++;
        if (text.isEmpty()) {
          continue;
        }
        List<String> cells = split(text);
        if (cells.size() != 3 + sets.size()) {
          throw new IOException(location + " line " + line + ": " + cells.size() + " columns, expected "
              + (3 + sets.size()));
        }
        try {
          if (Integer.parseInt(cells.get(0)) != names.size()) {
            throw new IOException(location + " line " + line + ": class " + cells.get(0) + ", expected " + names.size());
          }
          names.add(cells.get(1));
          positives.add(Long.parseLong(cells.get(2)));
          for (int s = 0; s < sets.size(); s++) {
            String v = cells.get(3 + s);
            ap.get(s).add(v.isEmpty() ? Double.NaN : Double.parseDouble(v));
          }
        } catch (NumberFormatException e) {
          throw new IOException(location + " line " + line + ": not a number: " + e.getMessage(), e);
        }
      }
      long[] pos = positives.stream().mapToLong(Long::longValue).toArray();
      List<double[]> columns = new ArrayList<>();
      for (List<Double> column : ap) {
        columns.add(column.stream().mapToDouble(Double::doubleValue).toArray());
      }
      return new Table(sets, names, pos, columns);
    }
  }

  /** The cells of a CSV line, quotes ("a,b" and "" inside them) undone. */
  static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cell.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(ch);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  private static String quoted(String s) {
    return s.indexOf(',') >= 0 || s.indexOf('"') >= 0 ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }
}
