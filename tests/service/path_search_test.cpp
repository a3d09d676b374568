// Path search and the merged adjacency on hand-made graphs: the shortest
// paths in lexicographic order, the limits, visibility, and on random
// graphs the same answer as a plain BFS from the destination.
#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <random>

#include "sourcetrace/service/api/investigator_types.h"
#include "sourcetrace/service/layered_adjacency.hpp"
#include "sourcetrace/service/path_search.hpp"

using namespace sourcetrace;
using namespace sourcetrace::service;
using Edges = std::vector<std::pair<VertexId, VertexId>>;

namespace {

LayeredAdjacency make_graph(VertexId n, const std::vector<Edges>& layers) {
  std::vector<graph::Layer> built;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    std::vector<graph::EdgeEvents> events;
    for (auto [u, v] : layers[l]) events.push_back({u, v, static_cast<float>(l + 1), 1});
    graph::Layer layer;
    layer.id = static_cast<graph::LayerId>(l);
    layer.name = std::string(graph::kLayerNames[l]);
    layer.adjacency = graph::build_csr(events, n, true);
    built.push_back(std::move(layer));
  }
  return LayeredAdjacency::merge(std::move(built), n);
}

// Each vertex its own network; `hidden` vertices' networks not visible.
Visibility hiding(std::vector<std::uint32_t>& network_of, VertexId n, const std::vector<VertexId>& hidden) {
  network_of.resize(n);
  for (VertexId v = 0; v < n; ++v) network_of[v] = v;
  std::vector<bool> visible(n, true);
  for (VertexId h : hidden) visible[h] = false;
  return Visibility(network_of, visible);
}

using Paths = std::vector<std::vector<VertexId>>;

}  // namespace

TEST_CASE("service: merged adjacency lists rows by layer then neighbour", "[service]") {
  const LayeredAdjacency g = make_graph(4, {{{0, 2}, {0, 1}}, {{0, 3}, {0, 1}}, {}, {{2, 3}}});
  REQUIRE(g.num_layers() == 4);
  std::vector<std::pair<int, VertexId>> row;
  for (auto arc = g.begin(0); arc < g.end(0); ++arc) row.emplace_back(g.layer(arc), g.target(arc));
  CHECK(row == std::vector<std::pair<int, VertexId>>{{0, 1}, {0, 2}, {1, 1}, {1, 3}});
  CHECK(g.layer(*g.first_link(0, 1)) == 0);  // linked in two layers: the first
  CHECK(g.layer(*g.first_link(0, 3)) == 1);
  CHECK(g.weight(*g.first_link(3, 0)) == 2.0f);
  CHECK(g.layer(*g.first_link(3, 2)) == 3);
  CHECK(!g.first_link(1, 2));
}

TEST_CASE("service: path search returns every shortest path in order, within its bounds", "[service]") {
  // 0-1-3-4, 0-2-3 (1-3 in two layers), 0-5-6-4; 7 unreachable.
  const LayeredAdjacency g = make_graph(8, {{{0, 1}, {1, 3}}, {{0, 2}, {2, 3}, {1, 3}}, {{3, 4}, {0, 5}, {5, 6}, {6, 4}}});
  std::vector<std::uint32_t> networks;
  const Visibility all = hiding(networks, 8, {});
  PathSearchOptions o;
  auto r = shortest_paths(g, all, 0, 4, o);
  CHECK(r.hops == 3);
  CHECK(r.paths == Paths{{0, 1, 3, 4}, {0, 2, 3, 4}, {0, 5, 6, 4}});
  CHECK(!r.gave_up);
  CHECK(shortest_paths(g, all, 4, 0, o).paths == Paths{{4, 3, 1, 0}, {4, 3, 2, 0}, {4, 6, 5, 0}});
  CHECK(shortest_paths(g, all, 0, 3, o).paths == Paths{{0, 1, 3}, {0, 2, 3}});
  CHECK(shortest_paths(g, all, 0, 1, o).paths == Paths{{0, 1}});
  CHECK(shortest_paths(g, all, 3, 3, o).paths == Paths{{3}});

  o.max_paths = 1;
  CHECK(shortest_paths(g, all, 0, 4, o).paths == Paths{{0, 1, 3, 4}});
  o.max_paths = 0;
  r = shortest_paths(g, all, 0, 4, o);
  CHECK(r.hops == 3);
  CHECK(r.paths.empty());
  o.max_paths = 16;
  o.max_hops = 2;
  r = shortest_paths(g, all, 0, 4, o);
  CHECK(r.hops == 0);
  CHECK(r.paths.empty());
  o.max_hops = 6;
  r = shortest_paths(g, all, 0, 7, o);
  CHECK(r.hops == 0);
  CHECK(r.paths.empty());
  CHECK(!r.gave_up);

  // Hidden entities are never stepped on.
  std::vector<std::uint32_t> networks2;
  const Visibility no_three = hiding(networks2, 8, {3});
  CHECK(shortest_paths(g, no_three, 0, 4, o).paths == Paths{{0, 5, 6, 4}});
  CHECK(shortest_paths(g, no_three, 1, 2, o).paths == Paths{{1, 0, 2}});

  o.max_visited = 3;
  r = shortest_paths(g, all, 0, 4, o);
  CHECK(r.gave_up);
  CHECK(r.paths.empty());
  CHECK(r.visited > 3);

  o.max_visited = 200000;
  o.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  CHECK_THROWS_AS(shortest_paths(g, all, 0, 4, o), api::ServerBusy);
}

TEST_CASE("service: path search agrees with a plain BFS on random graphs", "[service]") {
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    const VertexId n = 60 + random() % 60;
    std::vector<Edges> layers(3);
    for (int e = 0; e < 150; ++e) layers[random() % 3].push_back({random() % n, random() % n});
    const LayeredAdjacency g = make_graph(n, layers);
    std::vector<VertexId> hidden;
    for (VertexId v = 0; v < n; ++v) {
      if (random() % 6 == 0) hidden.push_back(v);
    }
    std::vector<std::uint32_t> networks;
    const Visibility visible = hiding(networks, n, hidden);
    // Distinct visible neighbours, ascending.
    std::vector<std::vector<VertexId>> adj(n);
    for (VertexId v = 0; v < n; ++v) {
      for (auto arc = g.begin(v); arc < g.end(v); ++arc) {
        if (visible.entity(g.target(arc))) adj[v].push_back(g.target(arc));
      }
      std::sort(adj[v].begin(), adj[v].end());
      adj[v].erase(std::unique(adj[v].begin(), adj[v].end()), adj[v].end());
    }
    for (int q = 0; q < 30; ++q) {
      const VertexId s = random() % n, t = random() % n;
      if (!visible.entity(s) || !visible.entity(t)) continue;
      // Distances to t, then the lexicographically first paths from s.
      std::vector<int> dist(n, -1);
      std::vector<VertexId> queue{t};
      dist[t] = 0;
      for (std::size_t i = 0; i < queue.size(); ++i) {
        for (VertexId w : adj[queue[i]]) {
          if (dist[w] < 0) {
            dist[w] = dist[queue[i]] + 1;
            queue.push_back(w);
          }
        }
      }
      PathSearchOptions o;
      o.max_hops = 8;
      o.max_paths = 5;
      Paths expected;
      std::vector<VertexId> path{s};
      std::function<void(VertexId)> walk = [&](VertexId u) {
        if (u == t) {
          expected.push_back(path);
          return;
        }
        for (VertexId w : adj[u]) {
          if (dist[w] != dist[u] - 1 || static_cast<int>(expected.size()) >= o.max_paths) continue;
          path.push_back(w);
          walk(w);
          path.pop_back();
        }
      };
      if (dist[s] >= 0 && dist[s] <= o.max_hops) walk(s);
      const PathSearchResult r = shortest_paths(g, visible, s, t, o);
      INFO("round " << round << " from " << s << " to " << t);
      CHECK(r.hops == (expected.empty() ? 0 : dist[s]));
      CHECK(r.paths == expected);
    }
  }
}
