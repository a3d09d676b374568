// verify_flow: the serial, obviously-right check of a computed max flow.
//
// Written apart from the solver (GAP's verifier idea) and used as the
// oracle of the targets tests: a flow is feasible when every arc carries
// between 0 and its capacity, every node other than the terminals passes
// on exactly what it receives (conservation), and the reported value is
// what leaves the source, which is also what reaches the sink. It checks
// feasibility, not maximality (that a solver's flow is maximum is the
// solver's business; the tests check values by hand).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sourcetrace::targets {

// One arc of a flow network with the flow a solve put on it.
struct FlowArc {
  std::uint32_t tail = 0, head = 0;
  double capacity = 0;
  double flow = 0;
};

// A solved flow network, in plain arrays (no Boost types), so that a
// verifier or a test can read it without the solver.
struct FlowSolution {
  std::uint32_t num_nodes = 0;
  std::uint32_t source = 0, sink = 0;
  std::vector<FlowArc> arcs;
  double value = 0;  // as the solver reported it
};

// Returns an empty string when the flow is feasible and its value matches,
// else the first failure in words. Capacities and flows are doubles (money
// is rescaled to units, see supply_flow.hpp), so comparisons allow
// `tolerance` relative to the largest capacity out of the source (at
// least 1).
std::string verify_flow(const FlowSolution& flow, double tolerance = 1e-9);

}  // namespace sourcetrace::targets
