package org.vidar.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A chart drawn as inline SVG, by hand: axes with ticks (linear, or powers of ten on a logarithmic
 * x axis), series of points joined by a line or left as dots, and horizontal reference lines (a
 * prediction set's figure beside a model's curve). Every point carries its values as
 * {@code data-x}/{@code data-y} attributes, exactly as given, so a reader of the page can check them.
 */
final class SvgChart {
  /** A series: its points as {x, y} pairs, drawn joined ({@code line}) or as dots only. */
  record Series(String name, String color, List<double[]> points, boolean line) {}

  /** A horizontal line at {@code y}, named in the legend. */
  record Reference(String name, String color, double y) {}

  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 30;
  private static final int BOTTOM = 46;

  private final String id;
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logX;
  private final List<Series> series = new ArrayList<>();
  private final List<Reference> references = new ArrayList<>();

  SvgChart(String id, String title, String xLabel, String yLabel, boolean logX) {
    this.id = id;
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logX = logX;
  }

  SvgChart add(Series s) {
    series.add(s);
    return this;
  }

  SvgChart add(Reference r) {
    references.add(r);
    return this;
  }

  /** The chart as an {@code <svg>} element of the given size in pixels, with its legend below the plot. */
  String render(int width, int height) {
    double[] xr = range(true);
    double[] yr = range(false);
    int plotW = width - LEFT - RIGHT;
    int legendRows = (series.size() + references.size() + 2) / 3;
    int plotH = height - TOP - BOTTOM - 18 * legendRows;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
        + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">%n", id, width, height,
        width, height, Html.escape(title)));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" class=\"title\">%s</text>%n", LEFT,
        Html.escape(title)));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>%n", LEFT,
        TOP, plotW, plotH));
    if (xr == null || yr == null) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"empty\">no data</text>%n",
          LEFT + plotW / 2 - 24, TOP + plotH / 2));
      return sb.append("</svg>\n").toString();
    }
    Scale x = new Scale(xr[0], xr[1], LEFT, LEFT + plotW, logX);
    Scale y = new Scale(yr[0], yr[1], TOP + plotH, TOP, false);
    for (double t : x.ticks()) {
      double px = x.at(t);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
          + "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, TOP + plotH,
          px, TOP + plotH + 14, label(t)));
    }
    for (double t : y.ticks()) {
      double py = y.at(t);
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
          + "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>%n", LEFT, py, LEFT + plotW, py,
          LEFT - 4, py + 4, label(t)));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>%n",
        LEFT + plotW / 2, TOP + plotH + 32, Html.escape(xLabel)));
    sb.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" class=\"axis\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 14 %d)\">%s</text>%n", TOP + plotH / 2, TOP + plotH / 2, Html.escape(yLabel)));
    for (Reference r : references) {
      double py = y.at(r.y());
      sb.append(String.format(Locale.ROOT, "<line class=\"reference\" data-series=\"%s\" data-y=\"%s\" x1=\"%d\" "
          + "y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"><title>%s %s</title></line>%n", Html.escape(r.name()),
          r.y(), LEFT, py, LEFT + plotW, py, r.color(), Html.escape(r.name()), label(r.y())));
    }
    for (Series s : series) {
      List<double[]> shown = s.points().stream().filter(p -> x.shows(p[0]) && !Double.isNaN(p[1])).toList();
      if (s.line() && shown.size() > 1) {
        StringBuilder d = new StringBuilder();
        for (double[] p : shown) {
          d.append(d.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x.at(p[0]), y.at(p[1])));
        }
        sb.append(String.format(Locale.ROOT, "<path class=\"series\" data-series=\"%s\" d=\"%s\" stroke=\"%s\"/>%n",
            Html.escape(s.name()), d, s.color()));
      }
      for (double[] p : shown) {
        sb.append(String.format(Locale.ROOT, "<circle class=\"point\" data-series=\"%s\" data-x=\"%s\" data-y=\"%s\" "
            + "cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" fill-opacity=\"%s\"><title>%s: %s, %s</title></circle>%n",
            Html.escape(s.name()), p[0], p[1], x.at(p[0]), y.at(p[1]), s.line() ? "3" : "2.5", s.color(), s.line() ? "1" : "0.75",
            Html.escape(s.name()), label(p[0]), label(p[1])));
      }
    }
    int lx = LEFT;
    int ly = TOP + plotH + 48;
    int i = 0;
    List<String[]> legend = new ArrayList<>();
    series.forEach(s -> legend.add(new String[] {s.name(), s.color(), "dot"}));
    references.forEach(r -> legend.add(new String[] {r.name(), r.color(), "dash"}));
    for (String[] entry : legend) {
      int ex = lx + (i % 3) * (plotW / 3);
      int ey = ly + (i / 3) * 18;
      sb.append(entry[2].equals("dot")
          ? String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>", ex + 6, ey - 4, entry[1])
          : String.format(Locale.ROOT, "<line class=\"reference\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>",
              ex, ey - 4, ex + 14, ey - 4, entry[1]));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>%n", ex + 20, ey,
          Html.escape(entry[0])));
      i++;
    }
    return sb.append("</svg>\n").toString();
  }

  /** The data's range on one axis, references included on y; null when there is nothing to show. */
  private double[] range(boolean onX) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double[] p : s.points()) {
        double v = onX ? p[0] : p[1];
        boolean usable = !Double.isNaN(p[1]) && !Double.isNaN(p[0]) && (!logX || p[0] > 0);
        if (usable && Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      return null;
    }
    if (!onX) {
      for (Reference r : references) {
        if (Double.isFinite(r.y())) {
          lo = Math.min(lo, r.y());
          hi = Math.max(hi, r.y());
        }
      }
    }
    if (onX && !logX) {
      lo = Math.min(lo, 0); // time from the start of training
      hi += (hi - lo) * 0.03; // a point at the end stays inside the frame
    }
    if (hi - lo < 1e-12) {
      double pad = Math.max(Math.abs(hi) * 0.05, onX && logX ? hi * 0.5 : 0.05);
      lo -= pad;
      hi += pad;
    } else if (!onX) {
      double pad = (hi - lo) * 0.06;
      lo -= pad;
      hi += pad;
    }
    return new double[] {lo, hi};
  }

  private static String label(double v) {
    double a = Math.abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-3)) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    if (a >= 100 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return a >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.4f", v)
        .replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /** Data to pixels on one axis. */
  private record Scale(double lo, double hi, double from, double to, boolean log) {
    Scale {
      if (log) {
        lo = Math.log10(lo);
        hi = Math.log10(hi);
        lo = Math.floor(lo);
        hi = Math.max(lo + 1, Math.ceil(hi));
      }
    }

    boolean shows(double v) {
      return !Double.isNaN(v) && (!log || v > 0);
    }

    double at(double v) {
      double t = log ? Math.log10(v) : v;
      return from + (t - lo) / (hi - lo) * (to - from);
    }

    /** About five round values inside the range (powers of ten on a log axis). */
    List<Double> ticks() {
      List<Double> out = new ArrayList<>();
      if (log) {
        for (int e = (int) Math.ceil(lo); e <= (int) Math.floor(hi); e++) {
          out.add(Math.pow(10, e));
        }
        return out;
      }
      double raw = (hi - lo) / 5;
      double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : raw / magnitude < 7.5 ? 5 : 10);
      for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
        out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
      }
      return out;
    }
  }
}
