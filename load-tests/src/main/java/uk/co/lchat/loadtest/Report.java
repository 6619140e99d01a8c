package uk.co.lchat.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import com.fasterxml.jackson.databind.JsonNode;

/** A self-contained HTML report of one run: summary table and inline SVG plots, no scripts or downloads. */
final class Report {
  private static final String[] COLOURS = {"#4f7cff", "#e5484d", "#30a46c", "#f5a524", "#8e4ec6", "#12a594"};

  private Report() {}

  static String html(JsonNode result) {
    JsonNode series = result.path("series");
    StringBuilder sb = new StringBuilder();
    sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>lchat load report</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}h2{margin-top:1.5em}")
        .append("svg{background:#fafafa;border:1px solid #ddd}.legend span{margin-right:1em}</style></head><body>")
        .append("<h1>Lunar Chat load test</h1>");
    table(sb, "Options", result.path("options"));
    table(sb, "Summary", result.path("summary"));
    plot(sb, "Throughput received (packets/s)", series, Map.of("packets/s", p -> p.path("packetsPerSecond").asDouble()));
    plot(sb, "Throughput received (Mbit/s)", series, Map.of("Mbit/s", p -> p.path("megabitsPerSecond").asDouble()));
    Map<String, ToDoubleFunction<JsonNode>> latency = new LinkedHashMap<>();
    latency.put("p50", p -> p.path("p50ms").asDouble());
    latency.put("p95", p -> p.path("p95ms").asDouble());
    latency.put("p99", p -> p.path("p99ms").asDouble());
    plot(sb, "One-way delay through the router (ms)", series, latency);
    plot(sb, "Loss (fraction of packets)", series, Map.of("loss", p -> p.path("loss").asDouble()));
    Map<String, ToDoubleFunction<JsonNode>> cpu = new LinkedHashMap<>();
    List<String> nodes = new ArrayList<>();
    for (JsonNode point : series) {
      for (JsonNode n : point.path("nodes")) {
        if (!nodes.contains(n.path("node").asText())) {
          nodes.add(n.path("node").asText());
        }
      }
    }
    for (String node : nodes) {
      cpu.put(node, p -> {
        for (JsonNode n : p.path("nodes")) {
          if (n.path("node").asText().equals(node)) {
            return n.path("cpu").asDouble() * 100;
          }
        }
        return 0;
      });
    }
    plot(sb, "CPU per node (% of all its cores)", series, cpu);
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, String title, JsonNode object) {
    sb.append("<h2>").append(title).append("</h2><table>");
    object.fields().forEachRemaining(e -> sb.append("<tr><th>").append(escape(e.getKey())).append("</th><td>")
        .append(escape(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()))
        .append("</td></tr>"));
    sb.append("</table>");
  }

  private static void plot(StringBuilder sb, String title, JsonNode series,
                           Map<String, ToDoubleFunction<JsonNode>> lines) {
    int w = 720;
    int h = 220;
    int pad = 40;
    double max = 0;
    for (ToDoubleFunction<JsonNode> f : lines.values()) {
      for (JsonNode p : series) {
        max = Math.max(max, f.applyAsDouble(p));
      }
    }
    max = max <= 0 ? 1 : max * 1.1;
    int n = Math.max(1, series.size() - 1);
    sb.append("<h2>").append(escape(title)).append("</h2><svg width=\"").append(w).append("\" height=\"").append(h)
        .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\">");
    sb.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", pad, h - pad, w - 10,
        h - pad));
    sb.append(String.format("<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", pad, pad, h - pad));
    sb.append(String.format("<text x=\"2\" y=\"20\" font-size=\"11\">%.3g</text>", max));
    sb.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\">%d s</text>", w - 50, h - pad + 15,
        series.size()));
    int c = 0;
    StringBuilder legend = new StringBuilder("<div class=\"legend\">");
    for (Map.Entry<String, ToDoubleFunction<JsonNode>> line : lines.entrySet()) {
      String colour = COLOURS[c++ % COLOURS.length];
      StringBuilder pts = new StringBuilder();
      int i = 0;
      for (JsonNode p : series) {
        double x = pad + (double) i++ * (w - pad - 10) / n;
        double y = (h - pad) - line.getValue().applyAsDouble(p) / max * (h - pad - 10);
        pts.append(String.format("%.1f,%.1f ", x, y));
      }
      sb.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
          .append(pts).append("\"/>");
      legend.append("<span style=\"color:").append(colour).append("\">&#9632; ").append(escape(line.getKey()))
          .append("</span>");
    }
    sb.append("</svg>").append(legend).append("</div>");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
