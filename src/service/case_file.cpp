// CaseFile: one network as a printable HTML write-up (with its picture as
// inline SVG), a GraphML file and a GEXF file, for a referral.
//
// Everything here is a pure function of the graph and the run: no clock,
// no randomness, no hash order, and the layout orders nodes with integer
// arithmetic only, so the same network gives the same bytes everywhere.
// Every string that comes from data is escaped before it is written.
#include "sourcetrace/service/case_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::service {

namespace {

// ---- text and numbers ----

template <typename... Args>
void append(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

// Escapes for HTML text, HTML attributes and XML alike. XML 1.0 forbids most
// control characters even as references, so they become U+FFFD: a stray
// byte in a seller's id must not make the whole file unreadable.
std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

// "kind:id": the node id of the exchange files, as the export tables write it.
std::string entity_key(const api::EntityRef& e) { return e.kind + ":" + e.id; }

// Shortest text that reads back as the same double (fmt's default).
std::string exact_number(double v) { return fmt::format("{}", v); }

// Units and amounts for people: whole numbers without decimals.
std::string flow_number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

// The edges worth drawing and exporting: both ends inside the node list.
// The service never sends another; a bad index must not reach the XML.
bool edge_in_graph(const api::GraphEdge& e, const api::NetworkGraph& g) {
  const auto n = static_cast<std::int64_t>(g.nodes.size());
  return e.tail >= 0 && e.tail < n && e.head >= 0 && e.head < n;
}

// ---- roles: the columns of the picture, read as a supply chain ----

struct RoleStyle {
  const char* role;
  const char* heading;
  const char* fill;
};
constexpr RoleStyle kRoles[] = {
    {"source", "Sources", "#d62728"},         {"distributor", "Distributors", "#ff7f0e"},
    {"storefront", "Storefronts", "#9467bd"}, {"collector", "Collectors", "#e7ba52"},
    {"legit", "Legitimate", "#d9d9d9"},
};
constexpr int kRoleColumns = 5;
constexpr int kLegitColumn = 4;

// Unknown role hints are drawn as legitimate: the picture claims nothing
// the detector did not say.
int role_column(const std::string& role_hint) {
  for (int c = 0; c < kRoleColumns; ++c) {
    if (role_hint == kRoles[c].role) return c;
  }
  return kLegitColumn;
}

// ---- the layout ----

// Picture geometry, in SVG user units.
constexpr int kMargin = 40;
constexpr int kHeadingHeight = 30;
constexpr int kRowHeight = 38;
constexpr int kSubColumnWidth = 120;
constexpr int kColumnGap = 80;
constexpr int kMaxRows = 40;  // a sub-column holds at most this many nodes
constexpr int kBarycentrePasses = 4;
constexpr double kNodeRadius = 9;

// A column of the picture: one role, its nodes in drawing order.
struct PictureColumn {
  int role = 0;
  std::vector<int> nodes;
  int sub_columns = 1, rows = 0;
  double x = 0, width = 0;  // left edge and width
};

struct Picture {
  CaseLayout layout;
  std::vector<PictureColumn> columns;  // non-empty ones, left to right
};

// NaN risks sort last instead of breaking the ordering.
double risk_key(double risk) { return std::isnan(risk) ? -1.0 : risk; }

// Targets first by rank, then the riskiest, then kind and id.
bool drawn_before(const api::GraphNode& a, const api::GraphNode& b) {
  const bool a_target = a.target_rank > 0, b_target = b.target_rank > 0;
  if (a_target != b_target) return a_target;
  if (a_target && a.target_rank != b.target_rank) return a.target_rank < b.target_rank;
  if (risk_key(a.risk) != risk_key(b.risk)) return risk_key(a.risk) > risk_key(b.risk);
  if (a.entity.kind != b.entity.kind) return a.entity.kind < b.entity.kind;
  return a.entity.id < b.entity.id;
}

// Barycentre ordering (Sugiyama, Tagawa & Toda 1981), kept exact: a slot is
// an integer fraction of kSlotScale and a barycentre a (sum, count) pair
// compared by cross-multiplication, so no rounding can reorder two nodes.
constexpr std::int64_t kSlotScale = 1 << 20;

void order_by_barycentres(const api::NetworkGraph& graph, std::vector<PictureColumn>& columns) {
  const std::size_t n = graph.nodes.size();
  std::vector<int> column_of(n, 0);
  std::vector<std::int64_t> slot(n, 0);
  auto place = [&](const PictureColumn& column) {
    const auto size = static_cast<std::int64_t>(column.nodes.size());
    for (std::int64_t k = 0; k < size; ++k) slot[column.nodes[k]] = (2 * k + 1) * kSlotScale / (2 * size);
  };
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (const int v : columns[c].nodes) column_of[v] = static_cast<int>(c);
    place(columns[c]);
  }
  std::vector<std::vector<int>> neighbours(n);
  for (const api::GraphEdge& e : graph.edges) {
    if (!edge_in_graph(e, graph) || e.tail == e.head) continue;
    neighbours[e.tail].push_back(e.head);
    neighbours[e.head].push_back(e.tail);
  }
  struct Keyed {
    int node;
    std::int64_t sum, count;
  };
  const int last = static_cast<int>(columns.size()) - 1;
  for (int pass = 0; pass < kBarycentrePasses; ++pass) {
    for (int step = 0; step <= last; ++step) {
      // Sweep left to right, then back, so each side gets the last word.
      const int c = pass % 2 == 0 ? step : last - step;
      std::vector<Keyed> keyed;
      for (const int v : columns[c].nodes) {
        Keyed k{v, 0, 0};
        for (const int w : neighbours[v]) {
          if (column_of[w] != c - 1 && column_of[w] != c + 1) continue;
          k.sum += slot[w];
          ++k.count;
        }
        // Links only further away (a legit member's, say) still pull.
        if (k.count == 0) {
          for (const int w : neighbours[v]) {
            if (column_of[w] == c) continue;
            k.sum += slot[w];
            ++k.count;
          }
        }
        if (k.count == 0) k = {v, slot[v], 1};
        keyed.push_back(k);
      }
      std::stable_sort(keyed.begin(), keyed.end(),
                       [](const Keyed& a, const Keyed& b) { return a.sum * b.count < b.sum * a.count; });
      for (std::size_t i = 0; i < keyed.size(); ++i) columns[c].nodes[i] = keyed[i].node;
      place(columns[c]);
    }
  }
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Wraps each column into sub-columns of at most `max_rows` nodes, balanced.
// Returns the picture's rows (its tallest column).
int wrap_columns(std::vector<PictureColumn>& columns, int max_rows) {
  int rows = 0;
  for (PictureColumn& column : columns) {
    const int size = static_cast<int>(column.nodes.size());
    column.sub_columns = ceil_div(size, max_rows);
    column.rows = ceil_div(size, column.sub_columns);
    rows = std::max(rows, column.rows);
  }
  return rows;
}

int picture_width(const std::vector<PictureColumn>& columns) {
  int width = 2 * kMargin;
  for (const PictureColumn& column : columns) width += column.sub_columns * kSubColumnWidth;
  if (!columns.empty()) width += static_cast<int>(columns.size() - 1) * kColumnGap;
  return width;
}

int picture_height(int rows) { return 2 * kMargin + kHeadingHeight + rows * kRowHeight; }

Picture lay_out_picture(const api::NetworkGraph& graph) {
  Picture picture;
  std::vector<PictureColumn> by_role(kRoleColumns);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    by_role[role_column(graph.nodes[i].role_hint)].nodes.push_back(static_cast<int>(i));
  }
  for (int c = 0; c < kRoleColumns; ++c) {
    if (by_role[c].nodes.empty()) continue;
    by_role[c].role = c;
    std::stable_sort(by_role[c].nodes.begin(), by_role[c].nodes.end(),
                     [&](int a, int b) { return drawn_before(graph.nodes[a], graph.nodes[b]); });
    picture.columns.push_back(std::move(by_role[c]));
  }
  order_by_barycentres(graph, picture.columns);

  // The tallest sub-columns that still leave the picture landscape.
  std::size_t tallest = 1;
  for (const PictureColumn& column : picture.columns) tallest = std::max(tallest, column.nodes.size());
  int max_rows = std::min(kMaxRows, static_cast<int>(tallest));
  int rows = wrap_columns(picture.columns, max_rows);
  while (max_rows > 1 && picture_height(rows) > picture_width(picture.columns)) {
    rows = wrap_columns(picture.columns, --max_rows);
  }

  CaseLayout& layout = picture.layout;
  layout.width = picture_width(picture.columns);
  layout.height = picture_height(rows);
  layout.x.assign(graph.nodes.size(), 0);
  layout.y.assign(graph.nodes.size(), 0);
  double left = kMargin;
  for (PictureColumn& column : picture.columns) {
    column.x = left;
    column.width = column.sub_columns * kSubColumnWidth;
    // Short columns are centred; within a column, order runs row by row,
    // so a node's height follows its place in the barycentre order.
    const double top = kMargin + kHeadingHeight + (rows - column.rows) * kRowHeight / 2.0;
    for (std::size_t k = 0; k < column.nodes.size(); ++k) {
      const int row = static_cast<int>(k) / column.sub_columns;
      const int sub = static_cast<int>(k) % column.sub_columns;
      layout.x[column.nodes[k]] = left + sub * kSubColumnWidth + kSubColumnWidth / 2.0;
      layout.y[column.nodes[k]] = top + row * kRowHeight + kRowHeight / 2.0;
    }
    left += column.width + kColumnGap;
  }
  return picture;
}

// ---- the picture as SVG ----

struct LayerStyle {
  const char* layer;
  const char* stroke;
  double width;
  const char* dash;  // "" for solid
  double bend;       // control-point offset, so parallel edges stay apart
  const char* legend;
};
constexpr LayerStyle kLayers[] = {
    {"seller", "#9e9e9e", 0.8, "", 0, "shared seller signals"},
    {"warehouse", "#8c6d31", 1.2, "5 3", -8, "shared warehouse"},
    {"payment", "#2ca02c", 1.4, "", 12, "payment (payer to payee)"},
    {"shipment", "#1f77b4", 1.4, "", 22, "shipment (origin to destination)"},
};
constexpr LayerStyle kOtherLayer = {"", "#bdbdbd", 1.0, "1 3", 4, "other"};

const LayerStyle& layer_style(const std::string& layer) {
  for (const LayerStyle& s : kLayers) {
    if (layer == s.layer) return s;
  }
  return kOtherLayer;
}

std::string marker_id(const LayerStyle& s) { return fmt::format("arrow-{}", *s.layer ? s.layer : "other"); }

std::string arrow_markers() {
  std::string out = "<defs>\n";
  auto add = [&](const LayerStyle& s) {
    append(out,
           "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
           "markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
           "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>\n",
           marker_id(s), s.stroke);
  };
  for (const LayerStyle& s : kLayers) add(s);
  add(kOtherLayer);
  return out + "</defs>\n";
}

// The node's shape by kind: seller circle, warehouse square, account
// diamond, anything else a triangle.
std::string node_shape(const std::string& kind, double x, double y, const char* attributes) {
  const double r = kNodeRadius;
  if (kind == "seller") {
    return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" {}/>", x, y, r, attributes);
  }
  if (kind == "warehouse") {
    return fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>", x - r + 1, y - r + 1,
                       2 * r - 2, 2 * r - 2, attributes);
  }
  if (kind == "account") {
    return fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" {}/>", x, y - r - 1,
                       x + r + 1, y, x, y + r + 1, x - r - 1, y, attributes);
  }
  return fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\" {}/>", x, y - r - 1, x + r,
                     y + r - 1, x - r, y + r - 1, attributes);
}

// One edge: undirected ones straight (or gently bent by layer), directed
// ones bent to the right of travel so that the two directions of a pair
// separate, ending at the node's rim where the arrowhead goes.
std::string edge_path(const api::NetworkGraph& graph, const CaseLayout& layout, const api::GraphEdge& e) {
  const LayerStyle& style = layer_style(e.layer);
  const double x0 = layout.x[e.tail], y0 = layout.y[e.tail];
  const double x1 = layout.x[e.head], y1 = layout.y[e.head];
  const double dx = x1 - x0, dy = y1 - y0;
  const double length = std::sqrt(dx * dx + dy * dy);
  if (length < 1) return {};
  const double cx = (x0 + x1) / 2 - dy / length * style.bend, cy = (y0 + y1) / 2 + dx / length * style.bend;
  double ex = x1, ey = y1;
  if (e.directed) {
    const double tx = x1 - cx, ty = y1 - cy, t = std::sqrt(tx * tx + ty * ty);
    ex = x1 - tx / t * (kNodeRadius + 2);
    ey = y1 - ty / t * (kNodeRadius + 2);
  }
  std::string out =
      fmt::format("<path d=\"M{:.1f},{:.1f} Q{:.1f},{:.1f} {:.1f},{:.1f}\" stroke=\"{}\" stroke-width=\"{:.1f}\"", x0,
                  y0, cx, cy, ex, ey, style.stroke, style.width);
  if (*style.dash) append(out, " stroke-dasharray=\"{}\"", style.dash);
  if (e.directed) append(out, " marker-end=\"url(#{})\"", marker_id(style));
  append(out, "><title>{}: {} {} {} ({})</title></path>\n", escaped(e.layer),
         escaped(entity_key(graph.nodes[e.tail].entity)), e.directed ? "&#8594;" : "&#8212;",
         escaped(entity_key(graph.nodes[e.head].entity)), flow_number(e.weight));
  return out;
}

std::string network_svg(const api::NetworkGraph& graph, const Picture& picture) {
  const CaseLayout& layout = picture.layout;
  std::string out = fmt::format(
      "<svg class=\"network\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"network {2}\">\n",
      layout.width, layout.height, escaped(graph.summary.network));
  out += arrow_markers();
  for (const PictureColumn& column : picture.columns) {
    append(out, "<text class=\"heading\" x=\"{:.1f}\" y=\"{}\">{} ({})</text>\n", column.x + column.width / 2,
           kMargin + 12, kRoles[column.role].heading, column.nodes.size());
  }
  out += "<g class=\"edges\" fill=\"none\">\n";
  for (const api::GraphEdge& e : graph.edges) {
    if (edge_in_graph(e, graph)) out += edge_path(graph, layout, e);
  }
  out += "</g>\n<g class=\"nodes\">\n";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const api::GraphNode& node = graph.nodes[i];
    const double x = layout.x[i], y = layout.y[i];
    const bool target = node.target_rank > 0;
    const std::string paint =
        fmt::format("fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"", kRoles[role_column(node.role_hint)].fill,
                    target ? "#000" : "#444", target ? 3 : 1);
    append(out, "<g><title>{} ({}, risk {:.3f}{})</title>{}", escaped(entity_key(node.entity)), escaped(node.role_hint),
           node.risk, target ? fmt::format(", target #{}", node.target_rank) : "",
           node_shape(node.entity.kind, x, y, paint.c_str()));
    append(out, "<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", x, y + kNodeRadius + 9,
           escaped(node.entity.id));
    if (target) {
      append(out, "<text class=\"rank\" x=\"{:.1f}\" y=\"{:.1f}\">#{}</text>", x + kNodeRadius + 4, y - 4,
             node.target_rank);
    }
    out += "</g>\n";
  }
  return out + "</g>\n</svg>\n";
}

// A small picture for the legend: one shape or one line.
std::string legend_swatch(const std::string& inner) {
  return fmt::format("<svg width=\"34\" height=\"22\" viewBox=\"-17 -11 34 22\" aria-hidden=\"true\">{}</svg>", inner);
}

std::string picture_legend() {
  std::string out = "<ul class=\"legend\">\n";
  for (const RoleStyle& role : kRoles) {
    append(out, "<li>{} {}</li>\n",
           legend_swatch(node_shape("seller", 0, 0, fmt::format("fill=\"{}\" stroke=\"#444\"", role.fill).c_str())),
           role.role);
  }
  const char* plain = "fill=\"#fff\" stroke=\"#444\"";
  for (const char* kind : {"seller", "warehouse", "account", "brand"}) {
    append(out, "<li>{} {}</li>\n", legend_swatch(node_shape(kind, 0, 0, plain)), kind);
  }
  append(out, "<li>{} target (rank beside)</li>\n",
         legend_swatch(node_shape("seller", 0, 0, "fill=\"#fff\" stroke=\"#000\" stroke-width=\"3\"")));
  for (const LayerStyle& s : kLayers) {
    append(out, "<li>{} {}</li>\n",
           legend_swatch(
               fmt::format("<line x1=\"-15\" y1=\"0\" x2=\"15\" y2=\"0\" stroke=\"{}\" stroke-width=\"{:.1f}\"{}/>{}",
                           s.stroke, s.width + 0.6, *s.dash ? fmt::format(" stroke-dasharray=\"{}\"", s.dash) : "",
                           s.bend > 0 ? fmt::format("<path d=\"M7,-5 L15,0 L7,5 z\" fill=\"{}\"/>", s.stroke) : "")),
           s.legend);
  }
  return out + "</ul>\n";
}

// ---- the HTML write-up ----

// Print first: A4 and Letter both fit 180 mm of text width; header rows
// repeat on every page; rows and the picture are never split.
constexpr const char* kStyle = R"css(
body { font: 10.5pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 24px; max-width: 1500px; }
h1 { font-size: 18pt; margin: 0 0 4px; }
h2 { font-size: 13pt; border-bottom: 1px solid #999; margin: 22px 0 8px; break-after: avoid; page-break-after: avoid; }
p.risk { font-size: 12pt; margin: 2px 0; }
p.note { color: #555; font-size: 9pt; }
p.warning { border: 1px solid #c00; padding: 4px 8px; color: #900; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.facts { width: auto; }
table.facts th { width: 11em; }
td, pre { overflow-wrap: anywhere; }
pre { font-size: 8.5pt; background: #f6f6f6; border: 1px solid #ddd; padding: 6px; white-space: pre-wrap; }
svg.network { max-width: 100%; height: auto; border: 1px solid #ccc; }
svg.network text.heading { font-size: 13px; font-weight: bold; text-anchor: middle; fill: #333; }
svg.network text.label { font-size: 8px; text-anchor: middle; fill: #222; }
svg.network text.rank { font-size: 11px; font-weight: bold; fill: #000; }
ul.legend { list-style: none; padding: 0; margin: 4px 0 8px; font-size: 8.5pt; display: flex; flex-wrap: wrap; gap: 2px 14px; }
ul.legend li { display: flex; align-items: center; gap: 3px; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@page { margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  section.picture { break-before: page; page-break-before: always; break-inside: avoid; page-break-inside: avoid; }
  svg.network { max-height: 240mm; border: none; }
  thead { display: table-header-group; }
  tr, pre { break-inside: avoid; page-break-inside: avoid; }
}
)css";

void table_open(std::string& out, std::initializer_list<const char*> headings) {
  out += "<table>\n<thead><tr>";
  for (const char* h : headings) append(out, "<th>{}</th>", h);
  out += "</tr></thead>\n<tbody>\n";
}

void fact_row(std::string& out, const char* name, const std::string& value) {
  append(out, "<tr><th>{}</th><td>{}</td></tr>\n", name, value);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + escaped(item);
  return out;
}

void summary_section(std::string& out, const api::NetworkGraph& graph, const std::string& scope_note) {
  const api::NetworkSummary& s = graph.summary;
  out += "<section class=\"summary\">\n<h2>Summary</h2>\n<table class=\"facts\">\n";
  fact_row(out, "Members", fmt::format("{}", s.members));
  fact_row(out, "Sellers", fmt::format("{}", s.sellers));
  fact_row(out, "Warehouses", fmt::format("{}", s.warehouses));
  fact_row(out, "Accounts", fmt::format("{}", s.accounts));
  fact_row(out, "Evidence rows", fmt::format("{}", s.evidence));
  fact_row(out, "Brands", s.brands.empty() ? "none named" : joined(s.brands));
  fact_row(out, "First seen", escaped(s.first_seen));
  fact_row(out, "Lineage", s.lineage.empty() ? "none" : escaped(s.lineage));
  fact_row(out, "View", escaped(scope_note));
  out += "</table>\n</section>\n";
}

void picture_section(std::string& out, const api::NetworkGraph& graph, const Picture& picture) {
  out +=
      "<section class=\"picture\">\n<h2>The network</h2>\n"
      "<p class=\"note\">Read left to right as a supply chain: goods go from sources through distributors "
      "to storefronts, money ends with the collectors; members the detector judged legitimate stand last.</p>\n";
  out += picture_legend();
  out += network_svg(graph, picture);
  out += "</section>\n";
}

void members_section(std::string& out, const api::NetworkGraph& graph) {
  out += "<section class=\"members\">\n<h2>Members</h2>\n";
  table_open(out, {"Kind", "Id", "Role", "Risk", "Evidence rows", "Target rank"});
  for (const api::GraphNode& n : graph.nodes) {
    append(out,
           "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.3f}</td><td class=\"num\">{}</td>"
           "<td class=\"num\">{}</td></tr>\n",
           escaped(n.entity.kind), escaped(n.entity.id), escaped(n.role_hint), n.risk, n.evidence,
           n.target_rank > 0 ? fmt::format("{}", n.target_rank) : "");
  }
  out += "</tbody></table>\n</section>\n";
}

void targets_section(std::string& out, const api::NetworkGraph& graph) {
  out += "<section class=\"targets\">\n<h2>Targets</h2>\n";
  std::vector<const api::GraphNode*> targets;
  for (const api::GraphNode& n : graph.nodes) {
    if (n.target_rank > 0) targets.push_back(&n);
  }
  std::stable_sort(targets.begin(), targets.end(),
                   [](const api::GraphNode* a, const api::GraphNode* b) { return a->target_rank < b->target_rank; });
  if (targets.empty()) {
    out += "<p>No member of this network is on the target list.</p>\n</section>\n";
    return;
  }
  table_open(out, {"Rank", "Entity", "Role", "Reason"});
  for (const api::GraphNode* n : targets) {
    append(out, "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", n->target_rank,
           escaped(entity_key(n->entity)), escaped(n->role_hint), escaped(n->target_reason));
  }
  out += "</tbody></table>\n</section>\n";
}

void timeline_section(std::string& out, const api::NetworkGraph& graph) {
  out += "<section class=\"timeline\">\n<h2>Evidence timeline</h2>\n";
  std::vector<const api::EvidenceEvent*> events;
  for (const api::EvidenceEvent& e : graph.timeline) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(), [](const api::EvidenceEvent* a, const api::EvidenceEvent* b) {
    return a->reported_on < b->reported_on;
  });
  if (graph.timeline_total > static_cast<std::int64_t>(events.size())) {
    append(out, "<p class=\"note\">{} of {} rows shown (the newest).</p>\n", events.size(), graph.timeline_total);
  }
  if (events.empty()) {
    out += "<p>No evidence rows.</p>\n</section>\n";
    return;
  }
  table_open(out, {"Date", "Entity", "Signal", "Brand"});
  for (const api::EvidenceEvent* e : events) {
    append(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", escaped(e->reported_on),
           escaped(entity_key(e->entity)), escaped(e->signal), escaped(e->brand));
  }
  out += "</tbody></table>\n</section>\n";
}

// Goods (shipment) or money (payment) flows, heaviest first.
void flows_section(std::string& out, const api::NetworkGraph& graph, const char* layer, const char* title,
                   std::initializer_list<const char*> headings) {
  append(out, "<section class=\"flows\">\n<h2>{}</h2>\n", title);
  std::vector<const api::GraphEdge*> flows;
  for (const api::GraphEdge& e : graph.edges) {
    if (e.layer == layer && edge_in_graph(e, graph)) flows.push_back(&e);
  }
  std::stable_sort(flows.begin(), flows.end(),
                   [](const api::GraphEdge* a, const api::GraphEdge* b) { return a->weight > b->weight; });
  if (flows.empty()) {
    out += "<p>None between members.</p>\n</section>\n";
    return;
  }
  table_open(out, headings);
  for (const api::GraphEdge* e : flows) {
    append(out, "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
           escaped(entity_key(graph.nodes[e->tail].entity)), escaped(entity_key(graph.nodes[e->head].entity)),
           flow_number(e->weight));
  }
  out += "</tbody></table>\n</section>\n";
}

// The parameters as the run used them, indented; raw when not JSON.
std::string pretty_parameters(const std::string& parameters_json) {
  const nlohmann::json parsed = nlohmann::json::parse(parameters_json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return parameters_json;
  return parsed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void provenance_section(std::string& out, const api::RunInfo& run) {
  out += "<section class=\"provenance\">\n<h2>Provenance</h2>\n<table class=\"facts\">\n";
  fact_row(out, "Run", escaped(run.run));
  fact_row(out, "Created", escaped(run.created));
  fact_row(out, "Engine", escaped(run.engine));
  fact_row(out, "Engine build", escaped(run.engine_build));
  fact_row(out, "Dataset digest", escaped(run.dataset_digest));
  out += "</table>\n<h3>Parameters</h3>\n";
  append(out, "<pre>{}</pre>\n</section>\n", escaped(pretty_parameters(run.parameters_json)));
}

std::string case_html(const api::RunInfo& run, const api::NetworkGraph& graph, const Picture& picture,
                      const std::string& scope_note) {
  const api::NetworkSummary& s = graph.summary;
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Case file {}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n",
      escaped(s.network), kStyle);
  append(out,
         "<header>\n<h1>Case file: network {}</h1>\n<p class=\"risk\">Risk {:.3f}</p>\n<p>{}</p>\n"
         "<p class=\"note\">From run {}.</p>\n</header>\n",
         escaped(s.network), s.risk, escaped(s.reason), escaped(run.run));
  if (graph.partial) {
    out +=
        "<p class=\"warning\">Partial view: only the targets and their neighbours are shown; the network has more "
        "members.</p>\n";
  }
  summary_section(out, graph, scope_note);
  picture_section(out, graph, picture);
  members_section(out, graph);
  targets_section(out, graph);
  timeline_section(out, graph);
  flows_section(out, graph, "shipment", "Goods flows", {"Origin", "Destination", "Units"});
  flows_section(out, graph, "payment", "Money flows", {"Payer", "Payee", "Amount"});
  provenance_section(out, run);
  return out + "</body>\n</html>\n";
}

// ---- the exchange files ----

// Both files hold one node per member and one edge per GraphEdge, written
// tail to head, in the graph's order.
//
// Direction: GraphML and GEXF can mark single edges directed in an
// undirected graph (or the reverse), and Gephi reads such mixed graphs, but
// networkx (2.8 and 3.x) refuses them ("directed=true edge found in
// undirected graph"). So both files say the graph is directed and carry a
// boolean edge attribute `directed`: false on the seller and warehouse
// layers, whose edges are written once per pair. A reader that needs the
// undirected layers drops the direction where `directed` is false.
//
// GEXF is version 1.2draft: networkx 2.8 (Debian 12) reads 1.1draft and
// 1.2draft only, and Gephi reads it too.

// GraphML's <key>s: (owner, name, type); each key's id is its name.
constexpr const char* kGraphmlKeys[][3] = {
    {"graph", "network", "string"}, {"graph", "run", "string"},      {"graph", "dataset_digest", "string"},
    {"node", "kind", "string"},     {"node", "role_hint", "string"}, {"node", "risk", "double"},
    {"node", "evidence", "int"},    {"node", "target_rank", "int"},  {"node", "label", "string"},
    {"edge", "layer", "string"},    {"edge", "weight", "double"},    {"edge", "directed", "boolean"},
};

std::string case_graphml(const api::RunInfo& run, const api::NetworkGraph& graph) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
      "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
  for (const auto& [owner, name, type] : kGraphmlKeys) {
    append(out, "<key id=\"{1}\" for=\"{0}\" attr.name=\"{1}\" attr.type=\"{2}\"/>\n", owner, name, type);
  }
  append(out,
         "<graph id=\"{0}\" edgedefault=\"directed\">\n<data key=\"network\">{0}</data>\n"
         "<data key=\"run\">{1}</data>\n<data key=\"dataset_digest\">{2}</data>\n",
         escaped(graph.summary.network), escaped(run.run), escaped(run.dataset_digest));
  for (const api::GraphNode& n : graph.nodes) {
    append(out,
           "<node id=\"{}\"><data key=\"kind\">{}</data><data key=\"role_hint\">{}</data>"
           "<data key=\"risk\">{}</data><data key=\"evidence\">{}</data><data key=\"target_rank\">{}</data>"
           "<data key=\"label\">{}</data></node>\n",
           escaped(entity_key(n.entity)), escaped(n.entity.kind), escaped(n.role_hint), exact_number(n.risk),
           n.evidence, n.target_rank, escaped(n.entity.id));
  }
  int id = 0;
  for (const api::GraphEdge& e : graph.edges) {
    if (!edge_in_graph(e, graph)) continue;
    append(out,
           "<edge id=\"e{}\" source=\"{}\" target=\"{}\"><data key=\"layer\">{}</data>"
           "<data key=\"weight\">{}</data><data key=\"directed\">{}</data></edge>\n",
           id++, escaped(entity_key(graph.nodes[e.tail].entity)), escaped(entity_key(graph.nodes[e.head].entity)),
           escaped(e.layer), exact_number(e.weight), e.directed ? "true" : "false");
  }
  return out + "</graph>\n</graphml>\n";
}

// "r,g,b" of a "#rrggbb" colour, for GEXF's viz:color.
std::string rgb_attributes(const char* hex) {
  const unsigned long v = std::strtoul(hex + 1, nullptr, 16);
  return fmt::format("r=\"{}\" g=\"{}\" b=\"{}\"", (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

std::string case_gexf(const api::RunInfo& run, const api::NetworkGraph& graph, const CaseLayout& layout) {
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<gexf xmlns=\"http://www.gexf.net/1.2draft\" xmlns:viz=\"http://www.gexf.net/1.2draft/viz\" version=\"1.2\">\n"
      "<meta><creator>{} {}</creator><description>network {} of run {}</description></meta>\n"
      "<graph mode=\"static\" defaultedgetype=\"directed\">\n"
      "<attributes class=\"node\" mode=\"static\">\n"
      "<attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n"
      "<attribute id=\"role_hint\" title=\"role_hint\" type=\"string\"/>\n"
      "<attribute id=\"risk\" title=\"risk\" type=\"double\"/>\n"
      "<attribute id=\"evidence\" title=\"evidence\" type=\"integer\"/>\n"
      "<attribute id=\"target_rank\" title=\"target_rank\" type=\"integer\"/>\n"
      "</attributes>\n"
      "<attributes class=\"edge\" mode=\"static\">\n"
      "<attribute id=\"layer\" title=\"layer\" type=\"string\"/>\n"
      "<attribute id=\"directed\" title=\"directed\" type=\"boolean\"/>\n"
      "</attributes>\n<nodes>\n",
      escaped(run.engine), escaped(run.engine_build), escaped(graph.summary.network), escaped(run.run));
  // The picture's layout goes along, so Gephi opens on the same drawing
  // (its y axis points up).
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const api::GraphNode& n = graph.nodes[i];
    append(out,
           "<node id=\"{}\" label=\"{}\"><attvalues><attvalue for=\"kind\" value=\"{}\"/>"
           "<attvalue for=\"role_hint\" value=\"{}\"/><attvalue for=\"risk\" value=\"{}\"/>"
           "<attvalue for=\"evidence\" value=\"{}\"/><attvalue for=\"target_rank\" value=\"{}\"/></attvalues>"
           "<viz:position x=\"{:.1f}\" y=\"{:.1f}\" z=\"0.0\"/><viz:color {}/></node>\n",
           escaped(entity_key(n.entity)), escaped(n.entity.id), escaped(n.entity.kind), escaped(n.role_hint),
           exact_number(n.risk), n.evidence, n.target_rank, layout.x[i], -layout.y[i],
           rgb_attributes(kRoles[role_column(n.role_hint)].fill));
  }
  out += "</nodes>\n<edges>\n";
  // Weight is GEXF's own edge attribute, not a declared one: a declared
  // "weight" column would clash with Gephi's built-in one.
  int id = 0;
  for (const api::GraphEdge& e : graph.edges) {
    if (!edge_in_graph(e, graph)) continue;
    append(out,
           "<edge id=\"e{}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues>"
           "<attvalue for=\"layer\" value=\"{}\"/><attvalue for=\"directed\" value=\"{}\"/></attvalues></edge>\n",
           id++, escaped(entity_key(graph.nodes[e.tail].entity)), escaped(entity_key(graph.nodes[e.head].entity)),
           exact_number(e.weight), escaped(e.layer), e.directed ? "true" : "false");
  }
  return out + "</edges>\n</graph>\n</gexf>\n";
}

// One file of the case, written whole or not at all.
Status write_atomically(const std::string& path, const std::string& bytes) {
  auto file = tables::OutputFile::create(path);
  if (!file.is_ok()) return file.status();
  ST_RETURN_IF_ERROR(file.value()->write(bytes));
  return file.value()->publish();
}

}  // namespace

CaseLayout lay_out_case(const api::NetworkGraph& graph) { return lay_out_picture(graph).layout; }

CaseFile render_case_file(const api::RunInfo& run, const api::NetworkGraph& graph, const std::string& scope_note) {
  const Picture picture = lay_out_picture(graph);
  return {case_html(run, graph, picture, scope_note), case_graphml(run, graph), case_gexf(run, graph, picture.layout)};
}

Status write_case_file(const std::string& dir, const std::string& network, const CaseFile& file) {
  namespace fs = std::filesystem;
  // The network names the files: it must not lead out of `dir`.
  if (network.empty() || network.front() == '.' || network.find('/') != std::string::npos ||
      network.find('\0') != std::string::npos) {
    return Status::invalid_argument(fmt::format("case file: '{}' cannot name a file", network));
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::cannot_create(fmt::format("{}: cannot create folder: {}", dir, ec.message()));
  const fs::path base = fs::path(dir) / network;
  ST_RETURN_IF_ERROR(write_atomically(base.string() + ".html", file.html));
  ST_RETURN_IF_ERROR(write_atomically(base.string() + ".graphml", file.graphml));
  return write_atomically(base.string() + ".gexf", file.gexf);
}

}  // namespace sourcetrace::service
