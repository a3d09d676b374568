// CaseFile: one network written up for a referral to law enforcement.
//
// A case ends as a referral, and police and prosecutors read it on paper
// or in Gephi, yEd or Linkurious, not in our service. So a case file is
// three self-contained files rendered from what the service answers for
// one network (RunSnapshot::network_graph and run_info, under the
// caller's scope, so a brand's case file holds nothing a brand token
// could not see):
//   - HTML that prints well: a summary, the network's picture as inline
//     SVG (no script: it prints as shown and needs no npm), members with
//     their roles, the evidence timeline, the goods and money flows, the
//     targets with their reasons, and the run's provenance (dataset and
//     engine digests, parameters);
//   - GraphML and GEXF: one node per member with kind, role hint, risk and
//     evidence rows; one edge per (pair, layer), directed for shipments
//     and payments (one per direction that carries flow), with its layer
//     and weight.
// The picture's layout is computed here, deterministically: the same
// network gives the same bytes, whatever the machine, so a case file can
// be digested and compared.
#pragma once

#include <string>

#include "sourcetrace/service/api/investigator_types.h"
#include "sourcetrace/service/run_snapshot.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

struct CaseFile {
  std::string html, graphml, gexf;
};

// Renders the case file of `graph` (which must not be partial: every
// member with every edge between them) from the run `run`. `scope_note`
// says whose view it is ("investigator", or "brand B: only B's cases").
CaseFile render_case_file(const api::RunInfo& run, const api::NetworkGraph& graph, const std::string& scope_note);

// Node positions of the picture, in SVG user units, one per graph node in
// node order; deterministic for a given graph.
struct CaseLayout {
  double width = 0, height = 0;
  std::vector<double> x, y;
};
CaseLayout lay_out_case(const api::NetworkGraph& graph);

// The case file of network `id` as `scope` sees it: every member (no node
// limit), the newest `max_page` evidence rows. Throws api::NotFound like
// RunSnapshot::network_graph.
CaseFile case_file_of(const RunSnapshot& snapshot, const Scope& scope, const std::string& id, const Limits& limits);

// `sourcetrace case`: loads the run folder, and writes network `id`'s case
// file into `dir` as `brand` sees it ("": an investigator, every network).
// A network the brand may not see is kNotFound, as one that is not there.
Status write_case_from_run(const std::string& run_dir, const std::string& id, const std::string& dir,
                           const std::string& brand);

// Writes DIR/<network>.html, .graphml and .gexf, each atomically (a
// temporary file, fsync, rename), creating DIR when missing.
Status write_case_file(const std::string& dir, const std::string& network, const CaseFile& file);

}  // namespace sourcetrace::service
