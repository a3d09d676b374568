// `sourcetrace run`: the whole batch job on one dataset, into one folder.
//
// ingest → detect → score → track → targets → export, then summary.json, and last
// manifest.json, which marks the folder a complete run (it is removed
// first, so a killed run never looks complete).
//
// Each stage runs as a child process of this same executable, exactly the
// command a user would type (`sourcetrace score …`), so a stage behaves
// the same alone and in a run, its memory is given back when it ends, and
// its wall time and peak RSS are measured by the kernel (wait4).
//
// Started as MPI ranks (mpirun, `srun --mpi=pmix`), rank 0 runs the chain
// as above and every rank joins the detect stage, which then runs in this
// process, distributed (a forked child cannot join an MPI job); the other
// stages' children are started as plain processes.
//
// `--stages` runs part of the chain (a Slurm job per stage): the stages
// before the selected ones must already be current, and summary.json and
// the manifest are written only by a run that includes export.
//
// `--previous PREV` chains the run to a complete earlier one: the track
// stage continues PREV's network ids and lists the changes since
// (pipeline/track_stage.hpp).
//
// A stage is skipped when its output already records the same inputs:
// ingest compares the dataset's content digest, the later stages the
// digests of the previous stage's output (and track of the previous run's
// files) and of the job parameters the stage reads, and every stage the
// engine build (store/engine_stamp.hpp). Outputs are written
// atomically, so a stage killed half-way left no output and simply runs
// again.
#include <fmt/core.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <functional>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "commands.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/pipeline/detect_stage.hpp"
#include "sourcetrace/pipeline/score_stage.hpp"
#include "sourcetrace/pipeline/targets_stage.hpp"
#include "sourcetrace/pipeline/track_stage.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/dist/mpi_session.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/engine_stamp.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/output_file.hpp"
#include "sourcetrace/targets/target_file.hpp"

namespace sourcetrace::cli {

namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string dataset, out, job, previous;
  std::string feedback;  // RUNS (its feedback.jsonl) or a journal; "" = none
  int threads = 0;
  bool lenient = false;
  bool force = false;
  std::vector<std::string> stages;  // empty: all
};

using pipeline::kStages;
using pipeline::RunFolder;

struct StageOutcome {
  std::string name;
  bool ran = false;
  std::string why;  // why it ran, or why it was skipped
  double seconds = 0;
  double peak_rss_mb = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs `sourcetrace ARGS…` (this executable) and waits for it; its output
// goes where ours goes. Returns its exit code (128 + signal if killed).
int run_child(const std::vector<std::string>& args, StageOutcome& outcome) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<char*> argv;
  std::string self = "sourcetrace";
  argv.push_back(self.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    fmt::print(stderr, "sourcetrace: error: cannot start the {} stage: {}\n", outcome.name, std::strerror(errno));
    return kExitInternal;
  }
  if (pid == 0) {
    // A stage must not outlive a run that was killed (Slurm's scancel,
    // a kill -9): it would go on writing into a folder being rerun.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(kExitInterrupted);
    dist::forget_launcher_environment();  // a plain process, not another rank
    ::execv("/proc/self/exe", argv.data());
    ::_exit(kExitInternal);
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return kExitInternal;
  }
  outcome.seconds = seconds_since(start);
  outcome.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// The stage files of a finished run that no longer match its manifest
// (changed or damaged since): read before the manifest goes, they rerun
// whatever they record. (Without a manifest, HDF5's checksums are the
// guard: a damaged file fails to read, and is rerun or stops the stage
// reading it.)
std::set<std::string> changed_since_manifest(const RunFolder& run) {
  std::set<std::string> changed;
  auto manifest = store::read_run_manifest(run.dir.string());
  if (!manifest.is_ok()) return changed;
  for (const store::ManifestEntry& entry : manifest.value().files) {
    if (!entry.name.ends_with(".h5")) continue;
    if (!store::verify_run_files(run.dir.string(), {entry.name}).is_ok()) changed.insert(entry.name);
  }
  return changed;
}

// Each returns why the stage must run, or nullopt when its output is
// current (the later stages' checks are the pipeline's: detect_stage.hpp
// and the others). A file that cannot be read is a reason to run, not an
// error: the stage will overwrite it.
using pipeline::built_elsewhere;

// The dataset's digest costs a full read of its tables: it is computed
// only when there is a graph.h5 to compare it with.
std::optional<std::string> ingest_staleness(const RunOptions& o, const RunFolder& run) {
  if (!fs::exists(run.graph())) return "no graph.h5 yet";
  auto provenance = store::read_graph_provenance(run.graph());
  if (!provenance.is_ok()) return "graph.h5 is unreadable";
  auto dataset_digest = ingest::dataset_digest(o.dataset);
  if (!dataset_digest.is_ok()) return "the dataset cannot be read (" + dataset_digest.status().message() + ")";
  if (provenance.value().input_digest != dataset_digest.value().hex()) return "the dataset changed";
  if (auto why = built_elsewhere(run.graph())) return why;
  // A lenient ingest that rejected rows must not stand in for a strict one.
  if (!o.lenient) {
    auto tables = nlohmann::json::parse(provenance.value().tables_json, nullptr, false);
    if (tables.is_discarded()) return "graph.h5 records no table counts";
    for (const auto& t : tables) {
      if (t.value("rows_rejected", 0) > 0) return "graph.h5 was made leniently and rejected rows";
    }
  }
  return std::nullopt;
}

// An error in track's check (a previous run that is not complete or fails
// its manifest) is the stage's to report: it runs, and fails saying so.
std::optional<std::string> track_staleness_or_error(const RunFolder& run, const std::string& previous,
                                                    const pipeline::Job& job) {
  auto why = pipeline::track_staleness(run, previous, job);
  if (!why.is_ok()) return why.status().message();
  return why.value();
}

// Data records of a CSV output (header excluded).
Result<std::uint64_t> count_records(const std::string& path) {
  auto reader = tables::CsvReader::open(path);
  if (!reader.is_ok()) return reader.status();
  tables::CsvRecord record;
  std::string reason;
  std::uint64_t records = 0;
  for (;;) {
    const auto next = reader.value()->next(record, reason);
    if (next == tables::CsvReader::Next::kEnd) break;
    if (next != tables::CsvReader::Next::kRecord) return Status::corrupt(path + ": " + reason);
    ++records;
  }
  return records == 0 ? 0 : records - 1;
}

// The dataset's digest is graph.h5's record of its input: the ingest stage
// either wrote it or found it equal to the dataset's.
Result<nlohmann::json> make_summary(const RunOptions& o, const RunFolder& run, const pipeline::Job& job,
                                    const std::vector<StageOutcome>& stages, double wall_seconds) {
  using nlohmann::json;
  auto provenance = store::read_graph_provenance(run.graph());
  if (!provenance.is_ok()) return provenance.status();
  const std::string& dataset_digest = provenance.value().input_digest;
  auto detected = community::read_communities_file(run.communities());
  if (!detected.is_ok()) return detected.status();
  auto scored = risk::read_risk_file(run.risk());
  if (!scored.is_ok()) return scored.status();
  auto ranked = targets::read_targets_file(run.targets());
  if (!ranked.is_ok()) return ranked.status();

  json tables = json::array();
  for (const auto& t : json::parse(provenance.value().tables_json, nullptr, false)) {
    tables.push_back({{"table", t.value("table", "")},
                      {"read", t.value("rows_read", 0)},
                      {"accepted", t.value("rows_accepted", 0)},
                      {"rejected", t.value("rows_rejected", 0)},
                      {"digest", t.value("digest", "")}});
  }
  json written = json::object();
  for (const char* name : {"networks.csv", "members.csv", "targets.csv", "changes.csv", "alerts.csv"}) {
    auto rows = count_records(run.file(name));
    if (!rows.is_ok()) return rows.status();
    written[name] = rows.value();
  }
  json stage_list = json::array();
  for (const StageOutcome& s : stages) {
    stage_list.push_back({{"stage", s.name},
                          {"ran", s.ran},
                          {"why", s.why},
                          {"seconds", s.seconds},
                          {"peak_rss_mb", s.peak_rss_mb}});
  }
  const auto& levels = detected.value().hierarchy;
  std::uint64_t suspects = 0;
  for (const auto& n : scored.value().networks) suspects += n.risk >= job.min_risk;
  // What score took from the feedback journal, and which weights it used.
  const risk::FeedbackEvidence& fed = scored.value().feedback;
  json feedback = nullptr;
  if (!o.feedback.empty()) {
    const risk::FeedbackCounts& c = fed.counts;
    feedback = {{"journal", pipeline::feedback_journal_path(o.feedback)},
                {"journal_bytes", fed.journal_bytes},
                {"journal_digest", fed.journal_digest},
                {"reports", c.reports},
                {"merged", c.merged},
                {"after_as_of", c.after_as_of},
                {"unknown_entity", c.unknown_entity},
                {"already_in_market", c.already_in_market},
                {"invalid", c.invalid},
                {"verdicts", c.verdicts},
                {"labelled", c.labelled},
                {"positives", c.positives},
                {"negatives", c.negatives}};
  }
  json weights = {{"used", "job"}, {"why", "the job does not fit ([risk] fit = false)"}};
  if (const auto& fit = scored.value().fit) {
    weights = {{"used", fit->fitted ? "fitted" : "job"},
               {"why", fit->fitted ? "the fit ranks held-out outcomes better than the job's weights" : fit->reason},
               {"cv_auc", fit->cv_fitted.auc},
               {"cv_auc_job", fit->cv_job.auc},
               {"positives", fit->positives},
               {"negatives", fit->negatives}};
  }
  return json{
      {"dataset", o.dataset},
      {"run", run.dir.string()},
      {"created", store::utc_now()},
      {"wall_seconds", wall_seconds},
      {"threads", o.threads},
      {"lenient", o.lenient},
      {"seed", job.detect.seed},
      {"job", {{"path", job.path}, {"digest", job.digest}}},
      {"parameters", job.parameters},
      {"inputs", {{"dataset_digest", dataset_digest}, {"tables", tables}}},
      {"stages", stage_list},
      {"counts",
       {{"communities", levels.back().partition.num_communities},
        {"modularity", levels.back().modularity},
        {"networks_scored", scored.value().networks.size()},
        {"networks_at_min_risk", suspects},
        {"targets", ranked.value().ranked.size()}}},
      {"written", written},
      {"feedback", feedback},
      {"weights", weights},
      {"versions",
       {{"engine", store::engine_name()},
        {"engine_build", store::engine_build()},
        {"graph_format", store::kGraphFormatVersion},
        {"run_format", store::kRunFormatVersion}}},
  };
}

Status write_json(const std::string& path, const nlohmann::json& j) {
  auto out = tables::OutputFile::create(path);
  if (!out.is_ok()) return out.status();
  ST_RETURN_IF_ERROR(out.value()->write(j.dump(2) + "\n"));
  return out.value()->publish();
}

int run_chain(const RunOptions& o, bool distributed, const std::function<void(int)>& tell_ranks);

// Ranks other than 0 wait for rank 0's word without spinning on a core
// that rank 0's stages could use.
int receive_from_root(int value) {
  MPI_Request request;
  MPI_Ibcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
  for (int done = 0; !done;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (!done) ::usleep(20000);
  }
  return value;
}

// The word rank 0 sends to the others: run detect here, or stop with this code.
constexpr int kJoinDetect = -1;

// Ranks > 0 of a distributed run: join the detect stage if rank 0 asks.
int follow_root(const RunOptions& o) {
  const int word = receive_from_root(0);
  if (word != kJoinDetect) return word;
  RunFolder run{fs::path(o.out)};
  return run_detect_stage(run.graph(), run.communities(), o.job, o.previous, o.threads);
}

int run_all(const RunOptions& o) {
  const dist::MpiSession* mpi = dist::MpiSession::current();
  const bool distributed = mpi != nullptr && mpi->distributed();
  if (distributed && mpi->rank() != 0) return follow_root(o);
  bool told_ranks = !distributed;  // the other ranks have had their word
  auto tell_ranks = [&](int word) {
    if (!told_ranks) receive_from_root(word);
    told_ranks = true;
  };
  const int code = [&] {
    const int c = run_chain(o, distributed, tell_ranks);
    tell_ranks(c);
    return c;
  }();
  return code;
}

int run_chain(const RunOptions& o, bool distributed, const std::function<void(int)>& tell_ranks) {
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& name : o.stages) {
    if (std::find(std::begin(kStages), std::end(kStages), name) == std::end(kStages)) {
      return report_failure(Status::invalid_argument(
          fmt::format("--stages: unknown stage `{}` (the stages: {})", name, fmt::join(kStages, ", "))));
    }
  }
  auto selected = [&](std::string_view name) {
    return o.stages.empty() || std::find(o.stages.begin(), o.stages.end(), name) != o.stages.end();
  };
  // The chain ends with the last selected stage: `--stages ingest` leaves
  // detect and the rest to later jobs.
  const auto last_stage = [&] {
    std::ptrdiff_t last = 0;
    for (std::ptrdiff_t i = 0; i < std::ssize(kStages); ++i) last = selected(kStages[i]) ? i : last;
    return kStages[last];
  }();
  auto stop_after = [&](std::string_view name) {
    if (name != last_stage) return false;
    fmt::print(stderr, "run: stages {} done in {:.1f} s; the run completes with the export stage -> {}\n",
               fmt::join(o.stages, ","), seconds_since(start), o.out);
    return true;
  };
  if (!o.previous.empty()) {
    std::error_code same;
    if (fs::equivalent(o.previous, o.out, same)) {
      return report_failure(Status::invalid_argument(
          fmt::format("--previous {} is the run folder itself: give the run before it", o.previous)));
    }
    if (Status checked = pipeline::check_previous_run(o.previous); !checked.is_ok()) return report_failure(checked);
  }
  auto loaded = pipeline::load_job(o.job);
  if (!loaded.is_ok()) return report_failure(loaded.status());
  const pipeline::Job& job = loaded.value();
  RunFolder run{fs::path(o.out)};
  std::error_code ec;
  fs::create_directories(run.dir, ec);
  if (ec) return report_failure(Status::cannot_create(fmt::format("{}: cannot create folder: {}", o.out, ec.message())));
  const std::set<std::string> changed = changed_since_manifest(run);
  if (Status s = store::remove_run_manifest(o.out); !s.is_ok()) return report_failure(s);

  if (Status found = ingest::find_dataset(o.dataset); !found.is_ok()) return report_failure(found);

  std::vector<std::string> job_args, thread_args;
  if (!o.job.empty()) job_args = {"--job", o.job};
  if (o.threads > 0) thread_args = {"--threads", std::to_string(o.threads)};
  auto with = [](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };

  std::vector<StageOutcome> stages;
  // Runs one stage unless `staleness` says its output is current.
  auto stage = [&](const char* name, const std::function<std::optional<std::string>()>& staleness,
                   const std::vector<std::string>& args) -> int {
    StageOutcome outcome;
    outcome.name = name;
    const bool chosen = selected(name);
    std::optional<std::string> why = o.force && chosen ? std::optional<std::string>("--force") : std::nullopt;
    const std::string output(RunFolder::output_of(name));
    if (!why && changed.contains(output)) why = output + " changed or was damaged since the run completed";
    if (!why) why = staleness();
    if (!why) {
      outcome.why = "up to date";
      fmt::print(stderr, "run: {}: up to date, skipped\n", name);
      stages.push_back(outcome);
      return kExitOk;
    }
    if (!chosen) {
      return report_failure(Status::missing_input(fmt::format(
          "{}: the {} stage is not current ({}) and not among --stages; run it first", o.out, name, *why)));
    }
    outcome.ran = true;
    outcome.why = *why;
    fmt::print(stderr, "run: {}: runs ({})\n", name, *why);
    int code = 0;
    if (distributed && std::string_view(name) == "detect") {
      // Every rank joins, in this process.
      const auto started = std::chrono::steady_clock::now();
      tell_ranks(kJoinDetect);
      code = run_detect_stage(run.graph(), run.communities(), o.job, o.previous, o.threads);
      outcome.seconds = seconds_since(started);
    } else {
      code = run_child(args, outcome);
    }
    stages.push_back(outcome);
    if (code != kExitOk) fmt::print(stderr, "sourcetrace: error: run stopped: the {} stage failed (exit {})\n", name, code);
    return code;
  };

  std::vector<std::string> ingest_args = with({"ingest", o.dataset, "--out", run.graph()}, thread_args);
  if (o.lenient) ingest_args.push_back("--lenient");
  if (int c = stage("ingest", [&] { return ingest_staleness(o, run); }, ingest_args)) return c;
  if (stop_after("ingest")) return kExitOk;
  // The graph's own record of its input is what the later stages compare.
  auto provenance = store::read_graph_provenance(run.graph());
  if (!provenance.is_ok()) return report_failure(provenance.status());
  const std::string graph_digest = provenance.value().input_digest;

  std::vector<std::string> detect_args = with(with({"detect", run.graph(), "--out", run.communities()}, job_args),
                                              thread_args);
  if (!o.previous.empty()) detect_args = with(detect_args, {"--previous", o.previous});
  if (int c = stage("detect", [&] { return pipeline::detect_staleness(run, job, graph_digest, o.previous); },
                    detect_args)) {
    return c;
  }
  if (stop_after("detect")) return kExitOk;
  const std::string journal = pipeline::feedback_journal_path(o.feedback);
  std::vector<std::string> score_args = with({"score", run.graph(), run.communities(), "--out", run.risk()}, job_args);
  if (!journal.empty()) score_args = with(score_args, {"--feedback", journal});
  if (int c = stage("score", [&] { return pipeline::score_staleness(run, job, graph_digest, journal); },
                    score_args)) {
    return c;
  }
  if (stop_after("score")) return kExitOk;
  std::vector<std::string> track_args = with({"track", o.out}, job_args);
  if (!o.previous.empty()) track_args = with(track_args, {"--previous", o.previous});
  if (int c = stage("track", [&] { return track_staleness_or_error(run, o.previous, job); }, track_args)) return c;
  if (stop_after("track")) return kExitOk;
  if (int c = stage("targets", [&] { return pipeline::targets_staleness(run, job); },
                    with({"targets", run.graph(), run.communities(), run.risk(), "--out", run.targets()}, job_args))) {
    return c;
  }
  if (stop_after("targets")) return kExitOk;
  // Export is cheap and has no record of its own inputs: it always runs,
  // and only a run that includes it completes the folder.
  if (int c = stage("export", [] { return std::optional<std::string>("always"); },
                    with({"export", o.out, "--out", o.out}, job_args))) {
    return c;
  }

  auto summary = make_summary(o, run, job, stages, seconds_since(start));
  if (!summary.is_ok()) return report_failure(summary.status());
  if (Status s = write_json(run.summary(), summary.value()); !s.is_ok()) return report_failure(s);

  std::vector<std::string> outputs = {"graph.h5",     "communities.h5", "risk.h5",     "lineage.h5",
                                      "targets.h5",   "networks.csv",   "members.csv", "targets.csv",
                                      "changes.csv",  "alerts.csv",     "summary.json"};
  if (o.lenient && fs::exists(run.file("rejected.csv"))) outputs.push_back("rejected.csv");
  if (Status s = store::write_run_manifest(o.out, outputs); !s.is_ok()) return report_failure(s);

  int ran = 0;
  for (const StageOutcome& s : stages) ran += s.ran;
  const auto& counts = summary.value()["counts"];
  fmt::print(stderr, "run: complete: {} stages ran, {} skipped; {} networks at or above risk {:.2f}, {} targets "
                     "in {:.1f} s -> {}\n",
             ran, static_cast<int>(stages.size()) - ran, counts["networks_at_min_risk"].get<std::uint64_t>(),
             job.min_risk, counts["targets"].get<std::uint64_t>(), seconds_since(start), o.out);
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "The whole batch job: ingest, detect, score, track, targets and export a dataset into one run folder");
  cmd->add_option("DATASET", o->dataset, "Dataset folder with the contract's tables (.csv or .csv.gz)")->required();
  cmd->add_option("--out", o->out, "The run folder (created; stages already current there are skipped)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--previous", o->previous,
                  "The previous complete run: network ids continue from it and changes.csv lists what changed "
                  "since (default: none, the run starts a chain of its own)");
  cmd->add_option("--feedback", o->feedback,
                  "A runs folder whose feedback journal (RUNS/feedback.jsonl, written by `serve`) score takes "
                  "reports and verdicts from, or the journal itself");
  cmd->add_option("--threads", o->threads, "Threads per stage (0: all cores)")->capture_default_str();
  cmd->add_flag("--lenient", o->lenient, "Ingest leniently: bad rows go to rejected.csv in the run folder");
  cmd->add_flag("--force", o->force, "Run every (selected) stage even where its output is current");
  cmd->add_option("--stages", o->stages,
                  "Run only these stages (comma list of ingest,detect,score,track,targets,export); the ones before "
                  "must be current")
      ->delimiter(',');
  cmd->callback([o, &exit_code] { exit_code = run_all(*o); });
}

}  // namespace sourcetrace::cli
